"""The service rules the work-order pages rely on: overdue, list filters,
department queues, the billing queue and its scope, the agent's day counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.processes.engine import take_transition
from kefu.workorders import services
from kefu.workorders.models import Charge, WorkOrder

pytestmark = pytest.mark.django_db


def overdue(order, hours=2):
    WorkOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(hours=hours))
    order.refresh_from_db()
    return order


def numbers(queryset):
    return sorted(queryset.values_list("number", flat=True))


def test_overdue_q_matches_is_overdue(make_order, users, depts):
    def dispatch(title):
        order = make_order(title)
        return take_transition(
            order, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
        )

    late = overdue(dispatch("超时未处理"))
    done = take_transition(
        dispatch("超时但已回单"), "complete", users["handler"], {"result": "已修"}
    )
    done = overdue(done)
    on_time = dispatch("未超时")
    assert late.is_overdue and not done.is_overdue and not on_time.is_overdue
    assert list(WorkOrder.objects.filter(services.overdue_q())) == [late]


def test_filter_orders_by_each_criterion(make_order, users, depts, customer, order_types):
    leak = make_order("卫生间漏水", priority="urgent", channel="wechat")
    inquiry = make_order("物业费咨询", type_code="inquiry", customer=None)
    lift = take_transition(
        make_order("电梯异响"), "dispatch", users["agent"], {"department": depts["east_eng"].pk}
    )
    overdue(lift)
    by_other = make_order("门禁故障", user=users["supervisor"])
    WorkOrder.objects.filter(pk=by_other.pk).update(created_at=timezone.now() - timedelta(days=10))
    all_orders = services.visible_orders(users["agent"])

    def run(**criteria):
        return numbers(services.filter_orders(all_orders, user=users["agent"], **criteria))

    assert run(q="漏水") == [leak.number]
    assert run(q=leak.number[-4:]) == [leak.number]
    assert run(q="张伟") == numbers(all_orders.exclude(pk=inquiry.pk))
    assert run(state="dispatched") == [lift.number]
    assert run(order_type=order_types["inquiry"]) == [inquiry.number]
    assert run(priority="urgent") == [leak.number]
    assert run(channel="wechat") == [leak.number]
    assert run(department=depts["east_eng"]) == [lift.number]
    assert run(overdue=True) == [lift.number]
    assert by_other.number not in run(mine=True) and leak.number in run(mine=True)
    today = timezone.localdate()
    assert by_other.number not in run(date_from=today)
    assert run(date_to=today - timedelta(days=5)) == [by_other.number]
    assert run(date_from=date(2000, 1, 1), date_to=today) == numbers(all_orders)


def test_default_unit_is_the_customers(users, customer, org):
    assert services.default_unit(users["manager"], customer) == org["east"]
    assert services.default_unit(users["manager"]) == org["hq"]


def test_can_edit_only_open_orders_for_center_staff(dispatched, users):
    assert services.can_edit(users["agent"], dispatched)
    assert not services.can_edit(users["handler"], dispatched)
    assert not services.can_edit(users["agent_west"], dispatched)
    dispatched.closed_at = timezone.now()
    assert not services.can_edit(users["agent"], dispatched)


def test_agent_day_counts(users, customer, org, order_types, dispatched):
    services.intake(
        user=users["agent"],
        unit=org["east"],
        channel="phone",
        content="咨询停车费",
        customer=customer,
    )
    overdue(dispatched)
    counts = services.agent_day_counts(users["agent"])
    assert counts == {"contacts": 1, "orders": 1, "overdue": 1}
    assert services.agent_day_counts(users["agent_west"]) == {
        "contacts": 0,
        "orders": 0,
        "overdue": 0,
    }


def test_department_queue_puts_overdue_first_and_respects_departments(
    make_order, users, depts, west_order
):
    def send(title, hours=None):
        order = take_transition(
            make_order(title), "dispatch", users["agent"], {"department": depts["east_eng"].pk}
        )
        return overdue(order, hours) if hours else order

    fresh, late, later = send("新单"), send("超时单", 1), send("超时更久", 5)
    queue = list(services.department_queue(users["handler"]))
    assert queue == [later, late, fresh]
    assert west_order not in services.department_queue(users["handler"])
    assert list(services.department_queue(users["handler_west"])) == [west_order]
    assert services.department_queue(users["agent"]).count() == 0


def test_supervisor_inbox_covers_departments_of_the_unit(users, depts, dispatched, west_order):
    departments = set(services.inbox_departments(users["supervisor"]))
    assert {depts["east_eng"], depts["finance"], depts["factory"]} <= departments
    assert depts["west_eng"] not in departments
    assert list(services.department_queue(users["supervisor"])) == [dispatched]
    assert list(services.department_queue(users["supervisor"], depts["finance"])) == []


def test_recently_returned(resolved, users):
    assert list(services.recently_returned(users["handler"])) == [resolved]
    later = timezone.now() + timedelta(days=services.RECENTLY_RETURNED_DAYS + 1)
    assert list(services.recently_returned(users["handler"], now=later)) == []


def test_billing_queue_and_scope(resolved, users, west_order, org, depts):
    east_fee = services.add_charge(
        resolved, user=users["handler"], item="水管接头", amount=Decimal("35")
    )
    west_fee = services.add_charge(
        west_order, user=users["agent_west"], item="电梯配件", amount=Decimal("80")
    )
    assert list(services.charges_to_bill(users["finance"])) == [east_fee, west_fee]
    assert list(services.charges_to_bill(users["supervisor"])) == [east_fee]
    assert list(services.charges_to_bill(users["agent"])) == []
    assert not services.bills_charges(users["agent"]) and services.bills_charges(users["finance"])

    with pytest.raises(PermissionDenied):
        services.bill_charge(west_fee, user=users["supervisor"])
    with pytest.raises(PermissionDenied):
        services.bill_charge(east_fee, user=users["agent"])
    west_finance = UserFactory(role=Role.HANDLER, unit=org["west"], department=_west_finance(org))
    with pytest.raises(PermissionDenied):
        services.bill_charge(east_fee, user=west_finance)

    services.bill_charge(east_fee, user=users["finance"])
    east_fee.refresh_from_db()
    assert east_fee.status == Charge.Status.BILLED and east_fee.billed_by == users["finance"]
    assert list(services.charges_to_bill(users["finance"])) == [west_fee]
    with pytest.raises(ValidationError):
        services.bill_charge(east_fee, user=users["finance"])


def _west_finance(org):
    from kefu.core.models import Department
    from kefu.factories import DepartmentFactory

    return DepartmentFactory(
        unit=org["west"], name="西区财务", function=Department.Function.FINANCE
    )
