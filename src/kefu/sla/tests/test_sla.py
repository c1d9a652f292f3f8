from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from kefu.core.models import Notification, TimelineEvent
from kefu.core.roles import Role
from kefu.core.tests.threads import run_threads
from kefu.factories import UserFactory
from kefu.processes.engine import take_transition
from kefu.processes.presets import load_definition, validate_spec
from kefu.sla import services
from kefu.sla.models import Metric, RectificationNotice, SlaClock, SlaPolicy
from kefu.workorders import services as orders
from kefu.workorders.models import WorkOrderType

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def leaders(org):
    return {
        "team_lead": UserFactory(username="lead_east", role=Role.TEAM_LEAD, unit=org["east"]),
        "supervisor": UserFactory(username="sup_hq", role=Role.SUPERVISOR, unit=org["hq"]),
        "manager": UserFactory(username="mgr_hq", role=Role.MANAGER, unit=org["hq"]),
    }


@pytest.fixture
def without_update_promises(db):
    """Policies promising first response and resolution only."""
    SlaPolicy.objects.update(next_update_minutes=None)
    services.forget_policies()


def register(users, org, order_types, customer=None, type_code="repair", **kwargs):
    return orders.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types[type_code],
        title="电梯故障",
        customer=customer,
        **kwargs,
    )


def restart_at(order, moment):
    """Re-start the order's clocks as if it had been registered at ``moment``."""
    order.sla_clocks.all().delete()
    order.created_at = moment
    order.save(update_fields=["created_at"])
    return {c.metric: c for c in services.start_clocks(order, now=moment)}


def clock(order, metric):
    return SlaClock.objects.get(work_order=order, metric=metric)


def test_policies_match_in_order(users, org, order_types, customer):
    customer.segment = "key"
    customer.save()
    assert services.match_policy(register(users, org, order_types, customer)).name == "重点客户"
    assert services.match_policy(
        register(users, org, order_types, type_code="complaint")
    ).name.startswith("投诉")
    assert services.match_policy(
        register(users, org, order_types, channel="email")
    ).name.startswith("邮件")
    assert (
        services.match_policy(register(users, org, order_types, priority="urgent")).name
        == "紧急工单"
    )
    plain = register(users, org, order_types)
    assert services.match_policy(plain).name == "一般工单"
    general = SlaPolicy.objects.get(name="一般工单")
    general.is_active = False
    general.save()
    assert services.match_policy(plain) is None


def test_unit_and_category_conditions(users, org, order_types):
    policy = SlaPolicy.objects.create(name="西区专用", position=1, resolution_minutes=60)
    policy.units.set([org["west"]])
    order = register(users, org, order_types)
    assert services.match_policy(order).name == "一般工单"
    policy.units.set([org["hq"]])
    assert services.match_policy(order) == policy
    category = order_types["repair"].categories.filter(parent__isnull=False).first()
    policy.categories.set([category.parent])
    assert services.match_policy(order) != policy
    order.category = category
    assert services.match_policy(order) == policy


def test_clocks_start_in_business_time(users, org, order_types):
    order = register(users, org, order_types)
    clocks = restart_at(order, at(2026, 11, 27, 17, 0))  # a Friday; office 9:00–18:30
    # 4 business hours: 1.5 h on Friday, 2.5 h on Monday.
    assert clocks[Metric.FIRST_RESPONSE].due_at == at(2026, 11, 30, 11, 30)
    assert clocks[Metric.FIRST_RESPONSE].warn_at == at(2026, 11, 30, 10, 42)  # 80% = 192 min
    # 24 business hours of 9.5-hour days: Fri 1.5 + Mon 9.5 + Tue 9.5 + Wed 3.5.
    assert clocks[Metric.RESOLUTION].due_at == at(2026, 12, 2, 12, 30)


def test_complaint_clock_runs_around_the_clock(users, org, order_types):
    order = register(users, org, order_types, type_code="complaint")
    clocks = restart_at(order, at(2026, 9, 30, 20, 0))  # the eve of the National Day break
    assert clocks[Metric.RESOLUTION].due_at == at(2026, 10, 2, 20, 0)


def test_first_response_stops_when_dispatched_and_resolution_when_resolved(
    users, org, order_types, depts
):
    order = register(users, org, order_types)
    order = take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    first = clock(order, Metric.FIRST_RESPONSE)
    assert first.stopped_at is not None and first.status == SlaClock.Status.MET
    assert clock(order, Metric.RESOLUTION).status == SlaClock.Status.RUNNING
    order = take_transition(order, "complete", users["handler"], {"result": "已修复"})
    assert clock(order, Metric.RESOLUTION).status == SlaClock.Status.MET


def test_a_late_stop_counts_as_breached(users, org, order_types, depts):
    order = register(users, org, order_types)
    SlaClock.objects.filter(work_order=order).update(due_at=at(2020, 1, 1, 9, 0))
    order = take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    assert clock(order, Metric.FIRST_RESPONSE).status == SlaClock.Status.BREACHED


def test_reopen_resumes_the_resolution_clock(users, org, order_types, depts):
    order = register(users, org, order_types)
    order = take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    order = take_transition(order, "complete", users["handler"], {"result": "已修复"})
    order = take_transition(order, "inform", users["agent"], {"reply_note": "已告知"})
    assert clock(order, Metric.RESOLUTION).stopped_at is not None
    take_transition(
        order,
        "reopen",
        users["agent"],
        {"satisfaction": "dissatisfied", "callback_note": "仍有问题"},
    )
    resumed = clock(order, Metric.RESOLUTION)
    assert resumed.status == SlaClock.Status.RUNNING and resumed.due_at is not None


WAITING_SPEC = {
    "code": "with_waiting",
    "name": "等待客户",
    "states": [
        {"code": "open", "name": "处理中", "kind": "start"},
        {"code": "waiting", "name": "等待客户", "kind": "waiting"},
        {"code": "done", "name": "完成", "kind": "end"},
    ],
    "transitions": [
        {"code": "wait", "name": "等待客户", "from": ["open"], "to": "waiting", "roles": ["agent"]},
        {"code": "resume", "name": "继续", "from": ["waiting"], "to": "open", "roles": ["agent"]},
        {
            "code": "finish",
            "name": "完成",
            "from": ["open"],
            "to": "done",
            "roles": ["agent"],
            "effects": ["mark_resolved"],
        },
    ],
}


def test_waiting_state_pauses_and_resume_restarts(users, org, order_types):
    load_definition(WAITING_SPEC)
    kind = WorkOrderType.objects.create(code="waity", name="等待类", process_code="with_waiting")
    order = orders.register_order(
        user=users["agent"], unit=org["east"], order_type=kind, title="资料待补"
    )
    SlaPolicy.objects.filter(name="一般工单").update(business_time=False)
    services.forget_policies()
    restart_at(order, order.created_at)
    order = take_transition(order, "wait", users["agent"], {})
    paused = clock(order, Metric.RESOLUTION)
    assert paused.status == SlaClock.Status.PAUSED and paused.due_at is None
    # Time passes while waiting: nothing can breach.
    assert services.sweep(now=order.created_at + timedelta(days=30))["breached"] == 0
    order = take_transition(order, "resume", users["agent"], {})
    resumed = clock(order, Metric.RESOLUTION)
    assert resumed.status == SlaClock.Status.RUNNING
    assert resumed.due_at >= resumed.running_since + timedelta(minutes=24 * 60 - 1)


def test_sweep_warns_breaches_escalates_once_and_issues_rectification(
    users, org, order_types, depts, leaders, without_update_promises
):
    order = register(users, org, order_types, type_code="complaint")
    order = take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    resolution = clock(order, Metric.RESOLUTION)
    start = resolution.started_at

    stats = services.sweep(now=start + timedelta(hours=39))  # 80% of 48 h = 38.4 h
    assert stats == {"warned": 1, "breached": 0, "escalated": 0}
    assert Notification.objects.filter(user=users["handler"], level="warning").count() == 1

    stats = services.sweep(now=start + timedelta(hours=48, minutes=1))
    assert stats["breached"] == 1 and stats["escalated"] == 1  # the team lead at once
    assert Notification.objects.filter(user=leaders["team_lead"]).count() == 1
    notice = RectificationNotice.objects.get(work_order=order)
    assert notice.department == depts["east_eng"]

    assert services.sweep(now=start + timedelta(hours=48, minutes=2)) == {
        "warned": 0,
        "breached": 0,
        "escalated": 0,
    }
    stats = services.sweep(now=start + timedelta(hours=50, minutes=1))
    assert stats["escalated"] == 1
    assert Notification.objects.filter(user=leaders["supervisor"]).count() == 1
    verbs = list(
        TimelineEvent.objects.filter(object_id=order.pk, verb__startswith="sla.").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == sorted(
        ["sla.warning", "sla.breached", "sla.rectification", "sla.escalated", "sla.escalated"]
    )


def test_catch_up_after_a_day_down_fires_each_step_once(
    users, org, order_types, leaders, without_update_promises
):
    order = register(users, org, order_types, type_code="complaint")
    start = clock(order, Metric.RESOLUTION).started_at
    stats = services.sweep(now=start + timedelta(days=3))
    # Both clocks breached (no separate warning once breached), all three levels each.
    assert stats == {"warned": 0, "breached": 2, "escalated": 6}
    assert Notification.objects.filter(user=leaders["manager"]).count() == 2
    assert services.sweep(now=start + timedelta(days=4)) == {
        "warned": 0,
        "breached": 0,
        "escalated": 0,
    }


def test_stopped_clocks_are_not_escalated(
    users, org, order_types, depts, leaders, without_update_promises
):
    order = register(users, org, order_types, type_code="complaint")
    start = clock(order, Metric.FIRST_RESPONSE).started_at
    take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    stats = services.sweep(now=start + timedelta(hours=47))
    assert (
        stats["breached"] == 0 and clock(order, Metric.FIRST_RESPONSE).status == SlaClock.Status.MET
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_nothing_twice(
    org, users, order_types, leaders, without_update_promises
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database; SQLite serialises them anyway")
    for _ in range(20):
        register(users, org, order_types, type_code="complaint")
    later = SlaClock.objects.order_by("started_at").first().started_at + timedelta(days=3)
    results = []

    def work(index):
        try:
            results.append(services.sweep(now=later))
        finally:
            connection.close()

    run_threads(2, work)
    assert sum(r["breached"] for r in results) == 40
    assert sum(r["escalated"] for r in results) == 120
    assert Notification.objects.filter(user=leaders["manager"]).count() == 40


def test_rectification_reply_permissions(users, org, order_types, depts, leaders):
    order = register(users, org, order_types, type_code="complaint")
    take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    services.sweep(now=clock(order, Metric.RESOLUTION).started_at + timedelta(days=3))
    notice = RectificationNotice.objects.get(work_order=order)
    with pytest.raises(PermissionDenied):
        services.reply_to_rectification(notice, user=users["handler_west"], reply="x")
    with pytest.raises(ValidationError):
        services.reply_to_rectification(notice, user=users["handler"], reply="  ")
    services.reply_to_rectification(notice, user=users["handler"], reply="增派夜班维修人员")
    notice.refresh_from_db()
    assert notice.replied_by == users["handler"]


def test_next_update_restarts_on_every_step_and_note(users, org, order_types, depts):
    order = register(users, org, order_types, type_code="complaint")  # next update within 24 h
    first = clock(order, Metric.NEXT_UPDATE)
    assert first.target_minutes == 24 * 60
    order = take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    first.refresh_from_db()
    assert first.status == SlaClock.Status.MET
    second = SlaClock.objects.get(
        work_order=order, metric=Metric.NEXT_UPDATE, stopped_at__isnull=True
    )
    assert second.pk != first.pk and second.status == SlaClock.Status.RUNNING
    orders.add_note(order, user=users["agent"], body="已催促工程部")
    second.refresh_from_db()
    assert second.status == SlaClock.Status.MET
    assert SlaClock.objects.filter(work_order=order, metric=Metric.NEXT_UPDATE).count() == 3
    order = take_transition(order, "complete", users["handler"], {"result": "已道歉并整改"})
    assert not SlaClock.objects.filter(
        work_order=order, metric=Metric.NEXT_UPDATE, stopped_at__isnull=True
    ).exists()


STEP_SPEC = {
    "code": "with_steps",
    "name": "限时步骤",
    "states": [
        {
            "code": "new",
            "name": "受理",
            "kind": "start",
            "deadline_minutes": 60,
            "deadline_business_time": False,
        },
        {
            "code": "factory",
            "name": "厂家答复",
            "kind": "active",
            "deadline_minutes": 3 * 24 * 60,
            "deadline_business_time": False,
        },
        {"code": "closed", "name": "结案", "kind": "end"},
    ],
    "transitions": [
        {
            "code": "to_factory",
            "name": "转厂家",
            "from": ["new"],
            "to": "factory",
            "roles": ["agent"],
            "fields": [{"name": "department", "required": True}],
        },
        {
            "code": "close",
            "name": "结案",
            "from": ["factory"],
            "to": "closed",
            "roles": ["agent"],
            "effects": ["close"],
        },
    ],
}


def test_step_deadlines_of_a_process_run_on_the_sla_engine(users, org, order_types, depts):
    load_definition(STEP_SPEC)
    kind = WorkOrderType.objects.create(
        code="factory_claim", name="客诉单", process_code="with_steps"
    )
    order = orders.register_order(
        user=users["agent"], unit=org["east"], order_type=kind, title="外壳开裂"
    )
    step = SlaClock.objects.get(work_order=order, metric=Metric.STEP)
    assert step.state.code == "new" and step.due_at == step.started_at + timedelta(hours=1)
    order = take_transition(
        order, "to_factory", users["agent"], {"department": depts["factory"].pk}
    )
    step.refresh_from_db()
    assert step.status == SlaClock.Status.MET
    factory_step = SlaClock.objects.get(
        work_order=order, metric=Metric.STEP, stopped_at__isnull=True
    )
    assert factory_step.state.code == "factory"
    assert factory_step.due_at == factory_step.started_at + timedelta(days=3)
    # The factory misses its 3 days: breach, and a rectification notice to the factory.
    stats = services.sweep(now=factory_step.started_at + timedelta(days=3, minutes=1))
    assert stats["breached"] >= 1
    assert RectificationNotice.objects.filter(
        work_order=order, department=depts["factory"]
    ).exists()
    assert (
        "厂家答复"
        in TimelineEvent.objects.filter(object_id=order.pk, verb="sla.breached").first().message
    )
    take_transition(order, "close", users["agent"], {})
    assert not SlaClock.objects.filter(work_order=order, stopped_at__isnull=True).exists()


def test_a_step_deadline_must_be_minutes_above_zero():
    bad = {
        **STEP_SPEC,
        "states": [{**STEP_SPEC["states"][0], "deadline_minutes": -5}, *STEP_SPEC["states"][1:]],
    }
    with pytest.raises(ValidationError):
        validate_spec(bad)
