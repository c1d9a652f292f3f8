import pytest
from rest_framework.test import APIClient

from kefu.complaints import services
from kefu.complaints.models import Complaint

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_register_and_read(users, customer, category):
    response = api(users["agent"]).post(
        "/api/complaints/",
        {"customer": customer.pk, "channel": "call", "category": category.name, "content": "噪音"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["number"].startswith("TS")
    assert response.data["status"] == "registered"
    listed = api(users["agent"]).get("/api/complaints/").data
    assert [c["number"] for c in listed["results"]] == [response.data["number"]]


def test_register_malformed(users):
    response = api(users["agent"]).post(
        "/api/complaints/", {"channel": "pigeon", "content": ""}, format="json"
    )
    assert response.status_code == 400
    assert {"channel", "category", "content"} <= set(response.data)
    assert not Complaint.objects.exists()


def test_other_unit_cannot_see(complaint, users):
    client = api(users["agent_west"])
    assert client.get(f"/api/complaints/{complaint.pk}/").status_code == 404
    assert client.get("/api/complaints/").data["results"] == []


def test_actions_and_plan_decision(complaint, users, depts):
    client = api(users["supervisor"])
    url = f"/api/complaints/{complaint.pk}/actions/"
    response = client.post(
        url + "justified/",
        {
            "responsible_department": depts["east_eng"].pk,
            "apology": "抱歉",
            "investigation_days": 2,
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "handling"
    response = client.post(
        url + "plan/", {"department": depts["east_eng"].pk, "content": "重修"}, format="json"
    )
    plan_id = response.data["plans"][0]["id"]
    denied = api(users["agent"]).post(
        f"/api/complaints/{complaint.pk}/plans/{plan_id}/approve/", {"comment": "ok"}
    )
    assert denied.status_code == 403
    response = client.post(
        f"/api/complaints/{complaint.pk}/plans/{plan_id}/approve/", {"comment": "同意"}
    )
    assert response.data["status"] == "executing"


def test_action_errors(complaint, users):
    client = api(users["supervisor"])
    url = f"/api/complaints/{complaint.pk}/actions/"
    assert client.post(url + "justified/", {"apology": ""}, format="json").status_code == 400
    assert client.post(url + "fly/", {}, format="json").status_code == 404
    assert client.post(url + "inform/", {}, format="json").status_code == 403
    assert api(users["agent"]).post(url + "unjustified/", {"explanation": "x"}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REGISTERED


def test_service_rule_errors_are_400(justified, users):
    services.record_root_cause(justified, user=users["supervisor"], root_cause="x")
    response = api(users["supervisor"]).post(
        f"/api/complaints/{justified.pk}/actions/compensation/",
        {"kind": "cash", "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert "amount" in response.data
