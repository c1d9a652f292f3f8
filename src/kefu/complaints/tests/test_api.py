import pytest
from rest_framework.test import APIClient

from kefu.complaints.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_register_and_justified_path_over_api(api, users, depts):
    api.force_authenticate(users["agent"])
    response = api.post(
        "/api/complaints/",
        {
            "complainant_name": "周杰",
            "channel": "email",
            "category": "product",
            "content": "新买冰箱不制冷",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["number"].startswith("TS")
    response = api.post(
        f"/api/complaints/{pk}/judge/", {"justified": False, "explanation": "x"}, format="json"
    )
    assert response.status_code == 403
    api.force_authenticate(users["supervisor"])
    response = api.post(f"/api/complaints/{pk}/judge/", {"justified": True}, format="json")
    assert response.status_code == 400 and "apology" in response.json()
    response = api.post(
        f"/api/complaints/{pk}/judge/",
        {
            "justified": True,
            "responsible_department": depts["east_eng"].pk,
            "apology": "抱歉",
            "promised_days": 2,
        },
        format="json",
    )
    assert response.json()["status"] == "handling"
    response = api.post(
        f"/api/complaints/{pk}/propose/",
        {
            "department": depts["east_eng"].pk,
            "proposal": "换新机",
            "compensation_kind": "赠品",
            "compensation_amount": "50.00",
        },
        format="json",
    )
    plan_id = response.json()["plans"][0]["id"]
    response = api.post(
        f"/api/complaints/{pk}/plans/{plan_id}/decide/", {"approve": True}, format="json"
    )
    assert response.json()["status"] == "executing"
    api.post(f"/api/complaints/{pk}/result/", {"result": "已换新"}, format="json")
    response = api.post(
        f"/api/complaints/{pk}/callback/", {"satisfaction": "dissatisfied"}, format="json"
    )
    assert response.json()["status"] == "handling"


def test_api_scoped(api, users, register):
    complaint = register()
    api.force_authenticate(users["agent_west"])
    assert api.get(f"/api/complaints/{complaint.pk}/").status_code == 404
    assert api.get("/api/complaints/").json()["count"] == 0
    api.force_authenticate(users["agent"])
    assert api.get("/api/complaints/").json()["count"] == 1


def test_api_malformed(api, users):
    api.force_authenticate(users["agent"])
    response = api.post("/api/complaints/", {"channel": "pigeon", "content": ""}, format="json")
    assert response.status_code == 400
    assert {"channel", "category", "content"} <= set(response.json())
    assert Complaint.objects.count() == 0
