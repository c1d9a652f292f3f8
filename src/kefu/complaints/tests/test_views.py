from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.complaints import services
from kefu.complaints.models import Complaint, ResolutionPlan
from kefu.core.spreadsheets import XLSX

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


class TestPages:
    def test_list_scoped_by_unit(self, client, complaint, users):
        response = login(client, users["agent"]).get(reverse("complaints:list"))
        assert complaint.number in response.content.decode()
        response = login(client, users["agent_west"]).get(reverse("complaints:list"))
        assert complaint.number not in response.content.decode()

    def test_list_filters(self, client, complaint, users):
        url = reverse("complaints:list")
        response = login(client, users["agent"]).get(url, {"status": "closed"})
        assert complaint.number not in response.content.decode()
        response = client.get(url, {"status": "open", "q": "迟到"})
        assert complaint.number in response.content.decode()
        assert client.get(url, {"status": "nonsense", "page": "x"}).status_code == 200

    def test_register(self, client, users, category, customer):
        response = login(client, users["agent"]).post(
            reverse("complaints:register"),
            {
                "customer": customer.pk,
                "channel": "call",
                "category": category.pk,
                "severity": "ordinary",
                "content": "送货延误一周",
            },
        )
        complaint = Complaint.objects.get()
        assert response.status_code == 302
        assert response["Location"] == complaint.get_absolute_url()
        assert complaint.customer == customer

    def test_register_malformed(self, client, users, category):
        response = login(client, users["agent"]).post(
            reverse("complaints:register"),
            {"channel": "pigeon", "category": category.pk, "severity": "ordinary"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors.keys() >= {"channel", "content"}
        response = client.post(
            reverse("complaints:register"),
            {"channel": "call", "category": category.pk, "severity": "ordinary", "content": "x"},
        )
        assert "complainant_name" in response.context["form"].errors
        assert not Complaint.objects.exists()

    def test_handler_cannot_open_register(self, client, users):
        assert (
            login(client, users["handler"]).get(reverse("complaints:register")).status_code == 403
        )

    def test_detail_offers_role_actions(self, client, complaint, users, more_users):
        response = login(client, users["agent"]).get(complaint.get_absolute_url())
        codes = [o["action"].code for o in response.context["offered"]]
        assert "justified" not in codes
        response = login(client, more_users["senior"]).get(complaint.get_absolute_url())
        codes = [o["action"].code for o in response.context["offered"]]
        assert {"justified", "unjustified"} <= set(codes)

    def test_other_unit_gets_404(self, client, complaint, users):
        client = login(client, users["agent_west"])
        assert client.get(complaint.get_absolute_url()).status_code == 404
        url = reverse("complaints:act", args=[complaint.pk, "unjustified"])
        assert client.post(url, {"unjustified-explanation": "x"}).status_code == 404


class TestActions:
    def test_justified_path_through_the_page(self, client, complaint, users, depts):
        client = login(client, users["supervisor"])
        response = client.post(
            reverse("complaints:act", args=[complaint.pk, "justified"]),
            {
                "justified-responsible_department": depts["east_eng"].pk,
                "justified-apology": "抱歉",
                "justified-investigation_days": "2",
            },
        )
        assert response.status_code == 302
        client.post(
            reverse("complaints:act", args=[complaint.pk, "plan"]),
            {"plan-department": depts["east_eng"].pk, "plan-content": "重新上门"},
        )
        plan = ResolutionPlan.objects.get()
        client.post(
            reverse("complaints:decide_plan", args=[plan.pk, "approve"]), {"comment": "同意"}
        )
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.EXECUTING
        client.post(
            reverse("complaints:act", args=[complaint.pk, "result"]), {"result-result": "已修复"}
        )
        client.post(reverse("complaints:act", args=[complaint.pk, "inform"]))
        client.post(
            reverse("complaints:act", args=[complaint.pk, "callback"]),
            {"callback-satisfaction": "satisfied", "callback-note": "满意"},
        )
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.CLOSED

    def test_invalid_action_input_shows_errors(self, client, complaint, users):
        response = login(client, users["supervisor"]).post(
            reverse("complaints:act", args=[complaint.pk, "justified"]),
            {"justified-apology": ""},
        )
        assert response.status_code == 400
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.REGISTERED

    def test_action_not_offered_is_refused(self, client, complaint, users):
        response = login(client, users["agent"]).post(
            reverse("complaints:act", args=[complaint.pk, "unjustified"]),
            {"unjustified-explanation": "x"},
        )
        assert response.status_code == 403

    def test_agent_cannot_approve_plan(self, client, justified, users, depts):
        plan = services.propose_plan(
            justified, user=users["supervisor"], department=depts["east_eng"], content="x"
        )
        response = login(client, users["agent"]).post(
            reverse("complaints:decide_plan", args=[plan.pk, "approve"]), {"comment": "ok"}
        )
        assert response.status_code == 403
        plan.refresh_from_db()
        assert plan.status == ResolutionPlan.Status.PROPOSED

    def test_corrective_action_steps(self, client, justified, users):
        action = services.add_action(
            justified,
            user=users["supervisor"],
            description="培训",
            owner=users["handler"],
            due_date=timezone.localdate() + timedelta(days=3),
        )
        login(client, users["handler"]).post(
            reverse("complaints:action_step", args=[action.pk, "done"])
        )
        login(client, users["supervisor"]).post(
            reverse("complaints:action_step", args=[action.pk, "verify"]),
            {"verification": "抽查合格"},
        )
        action.refresh_from_db()
        assert action.status == "verified"


class TestAnalytics:
    def test_page_and_export(self, client, justified, make_complaint, users, more_users):
        services.judge_unjustified(make_complaint(), user=users["supervisor"], explanation="解释")
        client = login(client, users["supervisor"])
        response = client.get(reverse("complaints:analytics"))
        totals = response.context["report"]["totals"]
        assert totals["total"] == 2
        assert totals["justified"] == 1
        assert totals["justified_rate"] == 50.0
        assert response.context["report"]["repeat"][0]["total"] == 2
        response = client.get(reverse("complaints:analytics"), {"format": "xlsx"})
        assert response["Content-Type"] == XLSX

    def test_other_unit_sees_nothing(self, client, complaint, more_users):
        response = login(client, more_users["supervisor_west"]).get(reverse("complaints:analytics"))
        assert response.context["report"]["totals"]["total"] == 0

    def test_malformed_period(self, client, users):
        response = login(client, users["supervisor"]).get(
            reverse("complaints:analytics"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}
        )
        assert response.status_code == 200
        assert response.context["report"] is None

    def test_agents_refused(self, client, users):
        assert login(client, users["agent"]).get(reverse("complaints:analytics")).status_code == 403
