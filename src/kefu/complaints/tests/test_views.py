import pytest
from django.urls import reverse

from kefu.complaints import services
from kefu.complaints.models import Complaint, Severity

pytestmark = pytest.mark.django_db
S = Complaint.Status


def test_register_page_creates_complaint(client, users, org):
    client.force_login(users["agent"])
    assert client.get(reverse("complaints:new")).status_code == 200
    response = client.post(
        reverse("complaints:new"),
        {
            "unit": org["east"].pk,
            "complainant_name": "赵敏",
            "complainant_phone": "13911112222",
            "create_customer": "on",
            "channel": "visit",
            "category": "billing",
            "severity": "ordinary",
            "content": "物业费多收一个月",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert complaint.customer.name == "赵敏"


def test_register_page_malformed(client, users, org):
    client.force_login(users["agent"])
    response = client.post(
        reverse("complaints:new"),
        {
            "unit": org["east"].pk,
            "channel": "visit",
            "category": "billing",
            "severity": "ordinary",
            "content": "x",
            "work_order": "GD-NOPE",
        },
    )
    assert response.status_code == 200
    assert "work_order" in response.context["form"].errors
    response = client.post(
        reverse("complaints:new"),
        {
            "unit": org["east"].pk,
            "channel": "visit",
            "category": "billing",
            "severity": "ordinary",
            "content": "x",
        },
    )
    assert "complainant_name" in response.context["form"].errors
    assert Complaint.objects.count() == 0


def test_detail_hidden_from_other_unit(client, register, users):
    complaint = register()
    client.force_login(users["agent_west"])
    assert client.get(complaint.get_absolute_url()).status_code == 404
    client.force_login(users["agent"])
    response = client.get(complaint.get_absolute_url())
    assert response.status_code == 200
    assert complaint.number in response.content.decode()


def test_judge_and_approve_through_pages(client, register, users, depts):
    complaint = register()
    client.force_login(users["agent"])
    response = client.post(
        reverse("complaints:judge", args=[complaint.pk]), {"justified": "0", "explanation": "x"}
    )
    assert response.status_code == 403
    client.force_login(users["supervisor"])
    response = client.post(reverse("complaints:judge", args=[complaint.pk]), {"justified": "1"})
    assert response.status_code == 400
    assert "apology" in response.context["judge_form"].errors
    response = client.post(
        reverse("complaints:judge", args=[complaint.pk]),
        {
            "justified": "1",
            "responsible_department": depts["east_eng"].pk,
            "apology": "致歉",
            "promised_days": "3",
        },
    )
    assert response.status_code == 302
    client.post(
        reverse("complaints:plan", args=[complaint.pk]),
        {
            "department": depts["east_eng"].pk,
            "proposal": "返修",
            "compensation_kind": "赠送保养",
            "compensation_amount": "100",
        },
    )
    plan = complaint.plans.get()
    response = client.post(
        reverse("complaints:decide", args=[complaint.pk, plan.pk]),
        {"approve": "1", "comment": "同意"},
    )
    assert response.status_code == 302
    client.post(reverse("complaints:result", args=[complaint.pk]), {"result": "已返修"})
    response = client.post(
        reverse("complaints:callback", args=[complaint.pk]), {"satisfaction": "satisfied"}
    )
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED


def test_handler_sees_page_but_cannot_register(client, register, users):
    client.force_login(users["handler"])
    assert client.get(reverse("complaints:list")).status_code == 200
    assert client.get(reverse("complaints:new")).status_code == 403


def test_list_filters(client, register, users):
    register(severity=Severity.PRESS)
    register()
    client.force_login(users["supervisor"])
    response = client.get(reverse("complaints:list"), {"severity": "press"})
    assert len(response.context["page"].items) == 1
    response = client.get(reverse("complaints:list"), {"severity": "bogus"})
    assert response.status_code == 200


def test_analytics_and_export(client, register, justified, users, senior):
    services.judge(register(), user=senior, justified=False, explanation="解释")
    justified()
    client.force_login(users["agent"])
    assert client.get(reverse("complaints:analytics")).status_code == 403
    client.force_login(users["supervisor"])
    response = client.get(reverse("complaints:analytics"))
    report = response.context["report"]
    assert report["total"] == 2
    assert report["justified_rate"] == 50.0
    assert sum(r["count"] for r in report["by_channel"]) == 2
    response = client.get(reverse("complaints:analytics"), {"date_from": "garbage"})
    assert response.status_code == 200
    response = client.get(reverse("complaints:analytics"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_analytics_scoped(client, register, supervisor_west):
    register()
    client.force_login(supervisor_west)
    response = client.get(reverse("complaints:analytics"))
    assert response.context["report"]["total"] == 0
