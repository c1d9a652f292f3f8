"""The department inbox (部门待办): handlers' own queue, supervisors' queues
with a department filter, finance's charges to bill."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from kefu.processes.engine import take_transition
from kefu.workorders import services
from kefu.workorders.models import Charge, WorkOrder

pytestmark = pytest.mark.django_db

INBOX = reverse("workorders:inbox")


def numbers(response):
    return [o.number for o in response.context["rows"]]


def tabs(response):
    return {t["key"]: t["count"] for t in response.context["tabs"]}


@pytest.fixture
def queue(make_order, users, depts):
    """Two dispatched orders (one overdue), one accepted, one returned."""

    def dispatch(title):
        order = make_order(title)
        return take_transition(
            order, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
        )

    fresh, late = dispatch("门锁损坏"), dispatch("电梯故障")
    WorkOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2))
    accepted = take_transition(dispatch("照明损坏"), "accept", users["handler"], {})
    returned = take_transition(
        dispatch("下水道堵塞"), "complete", users["handler"], {"result": "已疏通"}
    )
    return {"fresh": fresh, "late": late, "accepted": accepted, "returned": returned}


def test_handler_inbox_tabs_and_overdue_first(login, users, queue, west_order):
    client = login(users["handler"])
    response = client.get(INBOX)
    assert response.status_code == 200
    assert tabs(response) == {"dispatched": 2, "in_progress": 1, "returned": 1}
    assert numbers(response) == [queue["late"].number, queue["fresh"].number]
    html = response.content.decode()
    assert "row-overdue" in html and "已派单" in html and "处理中" in html and "最近回单" in html
    assert 'data-action="accept"' in html and 'data-action="complete"' in html
    assert numbers(client.get(INBOX, {"tab": "in_progress"})) == [queue["accepted"].number]
    assert numbers(client.get(INBOX, {"tab": "returned"})) == [queue["returned"].number]
    assert west_order.number not in html


def test_handler_of_another_unit_sees_only_their_department(login, users, queue, west_order):
    response = login(users["handler_west"]).get(INBOX)
    assert numbers(response) == [west_order.number]
    assert tabs(response) == {"dispatched": 1, "returned": 0}


def test_handler_cannot_filter_other_departments(login, users, queue, depts):
    response = login(users["handler"]).get(INBOX, {"department": depts["west_eng"].pk})
    assert response.status_code == 404


def test_quick_accept_from_the_inbox(login, users, queue):
    client = login(users["handler"])
    modal = client.get(
        reverse("workorders:transition", args=[queue["fresh"].pk, "accept"]), HTTP_HX_REQUEST="true"
    )
    assert modal.status_code == 200 and "接单" in modal.content.decode()
    response = client.post(
        reverse("workorders:transition", args=[queue["fresh"].pk, "accept"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert tabs(client.get(INBOX))["in_progress"] == 2


def test_supervisor_sees_all_departments_in_scope_with_a_filter(
    login, users, queue, depts, make_order
):
    security = depts["east_eng"].__class__.objects.create(
        unit=depts["east_eng"].unit, name="秩序维护部", code="sec"
    )
    guard = take_transition(
        make_order("车位被占"), "dispatch", users["agent"], {"department": security.pk}
    )
    client = login(users["supervisor"])
    response = client.get(INBOX)
    assert set(numbers(response)) == {queue["late"].number, queue["fresh"].number, guard.number}
    assert "秩序维护部" in response.content.decode() and response.context["departments"] is not None
    filtered = client.get(INBOX, {"department": security.pk})
    assert numbers(filtered) == [guard.number] and filtered.context["department"] == security
    assert client.get(INBOX, {"department": depts["west_eng"].pk}).status_code == 404


def test_agents_have_no_inbox(login, users):
    response = login(users["agent"]).get(INBOX)
    assert response.status_code == 403
    assert (
        gettext("The department inbox is for department staff and supervisors.")
        in response.content.decode()
    )


def test_finance_sees_and_bills_pending_charges(login, users, queue, west_order):
    fee = services.add_charge(
        queue["returned"], user=users["handler"], item="疏通费", amount=Decimal("80")
    )
    west_fee = services.add_charge(
        west_order, user=users["agent_west"], item="电梯配件", amount=Decimal("300")
    )
    client = login(users["finance"])
    response = client.get(INBOX)
    html = response.content.decode()
    assert list(response.context["charges"]) == [fee, west_fee]
    assert "待入帐费用" in html and "疏通费" in html and "¥80.00" in html
    bill = reverse("workorders:bill_charge", args=[fee.pk])
    response = client.post(bill, {"next": f"{INBOX}?tab=returned"})
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?tab=returned"
    fee.refresh_from_db()
    assert fee.status == Charge.Status.BILLED and fee.billed_by == users["finance"]
    assert list(client.get(INBOX).context["charges"]) == [west_fee]


def test_bill_ignores_an_outside_next(login, users, queue):
    fee = services.add_charge(
        queue["returned"], user=users["handler"], item="疏通费", amount=Decimal("80")
    )
    response = login(users["finance"]).post(
        reverse("workorders:bill_charge", args=[fee.pk]), {"next": "https://evil.example/"}
    )
    # Finance cannot open the order itself, so it goes back to its inbox.
    assert response["Location"] == INBOX


def test_handlers_without_billing_see_no_charges(login, users, queue):
    services.add_charge(
        queue["returned"], user=users["handler"], item="疏通费", amount=Decimal("80")
    )
    response = login(users["handler"]).get(INBOX)
    assert not response.context["can_bill"] and "待入帐费用" not in response.content.decode()
