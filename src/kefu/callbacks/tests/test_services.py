from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.callbacks import services
from kefu.callbacks.models import CallbackSkill, CallbackTask, Priority
from kefu.callbacks.signals import callback_completed
from kefu.core import timeline
from kefu.core.roles import Role
from kefu.factories import CustomerFactory, UserFactory

Status = CallbackTask.Status


def local(hour, minute=0, day=3):
    """A Thursday in December 2026, local time (Asia/Shanghai)."""
    return timezone.make_aware(datetime(2026, 12, day, hour, minute))


@pytest.fixture
def agents(org):
    return [
        UserFactory(username=f"cb{i}", role=Role.CALLBACK_AGENT, unit=org["east"]) for i in range(3)
    ]


def test_distribution_balances_by_count(make_task, users, org, agents):
    for _ in range(10):
        make_task()
    given_ = services.distribute(user=users["supervisor"], unit=org["east"], agents=agents)
    assert sorted(given_.values()) == [3, 3, 4]
    for agent in agents:
        assert CallbackTask.objects.filter(assignee=agent, status=Status.ASSIGNED).count() in (3, 4)
    task = CallbackTask.objects.filter(assignee=agents[0]).first()
    assert timeline.events_for(task).filter(verb="callback.assigned").exists()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tasks=st.integers(0, 25), initial=st.lists(st.integers(0, 4), min_size=2, max_size=4))
def test_distribution_fairness_property(tasks, initial, org, users):
    """Whatever the lists held before, new tasks go to the lightest lists."""
    with transaction.atomic():
        _check_fairness(tasks, initial, org["east"], users["supervisor"])
        transaction.set_rollback(True)


def _check_fairness(tasks, initial, unit, supervisor):
    agents = [UserFactory(role=Role.CALLBACK_AGENT, unit=unit) for _ in initial]
    customer = CustomerFactory(unit=unit)

    def new_task(key):
        (task,) = services.create_for_event(
            trigger="call_missed", customer=customer, subject=customer, unit=unit, key=key
        )
        return task

    for n, (agent, count) in enumerate(zip(agents, initial, strict=True)):
        for i in range(count):
            services.reassign(new_task(f"i{n}-{i}"), user=supervisor, agent=agent)
    for i in range(tasks):
        new_task(f"n{i}")
    services.distribute(user=supervisor, unit=unit, agents=agents)
    loads = [CallbackTask.objects.filter(assignee=a).count() for a in agents]
    assert sum(loads) == sum(initial) + tasks
    gap = max(initial) - min(initial)
    assert max(loads) - min(loads) <= max(1, gap)
    if tasks >= sum(max(initial) - i for i in initial):
        assert max(loads) - min(loads) <= 1


def test_urgent_tasks_go_to_the_most_skilled(make_task, users, org, agents):
    CallbackSkill.objects.create(agent=agents[2], level=5)
    CallbackSkill.objects.create(agent=agents[0], level=1)
    task = make_task(priority=Priority.URGENT)
    services.distribute(user=users["supervisor"], unit=org["east"], agents=agents)
    task.refresh_from_db()
    assert task.assignee == agents[2]


def test_agents_get_only_the_methods_they_work(make_task, users, org, agents):
    CallbackSkill.objects.create(agent=agents[0], methods=["sms"])
    make_task(method="mail")
    services.distribute(user=users["supervisor"], unit=org["east"], agents=agents[:1])
    assert CallbackTask.objects.get().assignee is None


def test_distribution_refused_outside_scope_or_role(make_task, users, org, agents):
    make_task()
    with pytest.raises(PermissionDenied):
        services.distribute(user=users["supervisor"], unit=org["west"], agents=agents)
    with pytest.raises(PermissionDenied):
        services.distribute(user=users["agent"], unit=org["east"], agents=agents)
    with pytest.raises(ValidationError):
        services.distribute(
            user=users["supervisor"], unit=org["east"], agents=[users["agent_west"]]
        )
    with pytest.raises(ValidationError):
        services.distribute(user=users["supervisor"], unit=org["east"], agents=[])
    assert CallbackTask.objects.get().assignee is None


def test_collect_and_reassign(make_task, users, org, agents):
    for _ in range(4):
        make_task()
    services.distribute(user=users["supervisor"], unit=org["east"], agents=agents[:2])
    assert services.collect(user=users["supervisor"], unit=org["east"], agent=agents[0]) == 2
    assert CallbackTask.objects.filter(assignee__isnull=True, status=Status.OPEN).count() == 2
    task = CallbackTask.objects.filter(assignee__isnull=True).first()
    services.reassign(task, user=users["supervisor"], agent=agents[2])
    task.refresh_from_db()
    assert task.assignee == agents[2] and task.status == Status.ASSIGNED
    verbs = set(timeline.events_for(task).values_list("verb", flat=True))
    assert {"callback.collected", "callback.reassigned"} <= verbs
    with pytest.raises(PermissionDenied):
        services.collect(user=users["callback"], unit=org["east"])


@pytest.fixture
def assigned(make_task, users):
    task = make_task()
    return services.reassign(task, user=users["supervisor"], agent=users["callback"])


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(10, 0, False), (12, 30, True), (14, 0, False), (21, 30, True), (7, 0, True), (8, 30, False)],
)
def test_quiet_hours_in_the_agent_list(assigned, users, hour, minute, quiet):
    (task,) = services.agent_list(users["callback"], now=local(hour, minute))
    assert task.quiet is quiet


def test_results_refused_during_quiet_hours(assigned, users):
    with pytest.raises(ValidationError) as error:
        services.record_result(
            assigned, user=users["callback"], content="好", satisfaction="satisfied", now=local(22)
        )
    assert "task" in error.value.message_dict
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED


def test_result_recorded_with_signal_after_commit(
    assigned, users, django_capture_on_commit_callbacks
):
    received = []
    callback_completed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.record_result(
                assigned,
                user=users["callback"],
                content="维修后使用正常",
                satisfaction="satisfied",
                suggestions="希望上门前先电话联系",
                now=local(10),
            )
    finally:
        callback_completed.disconnect(dispatch_uid="t")
    assigned.refresh_from_db()
    assert assigned.status == Status.DONE
    assert assigned.executed_by == users["callback"] and assigned.executed_at == local(10)
    assert received[0]["task"] == assigned and received[0]["satisfaction"] == "satisfied"
    event = timeline.events_for(assigned).get(verb="callback.done")
    assert event.after["suggestions"] == "希望上门前先电话联系"
    assert event.customer == assigned.customer


def test_malformed_result_writes_nothing(assigned, users):
    with pytest.raises(ValidationError) as error:
        services.record_result(
            assigned, user=users["callback"], content="  ", satisfaction="great", now=local(10)
        )
    assert set(error.value.message_dict) == {"content", "satisfaction"}
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED and assigned.attempts == 0
    assert not timeline.events_for(assigned).filter(verb="callback.done").exists()


def test_other_agents_cannot_record(assigned, users, agents):
    with pytest.raises(PermissionDenied):
        services.record_result(
            assigned, user=agents[0], content="x", satisfaction="satisfied", now=local(10)
        )
    with pytest.raises(PermissionDenied):
        services.record_result(
            assigned, user=users["agent_west"], content="x", satisfaction="satisfied", now=local(10)
        )


def test_three_unreached_attempts_end_the_task(assigned, users):
    for _ in range(3):
        services.record_result(assigned, user=users["callback"], reached=False, now=local(10))
    assigned.refresh_from_db()
    assert assigned.status == Status.UNREACHABLE and assigned.attempts == 3
    assert timeline.events_for(assigned).filter(verb="callback.attempt").count() == 3


def test_problem_solved_within_a_day_needs_no_order(assigned, users):
    task = services.record_result(
        assigned,
        user=users["callback"],
        content="客户反映门禁卡失效",
        satisfaction="neutral",
        problem="门禁卡失效",
        now=local(10),
    )
    assert task.problem_due_at == local(10, day=4)
    services.solve_problem(task, user=users["callback"], note="已远程重置门禁卡")
    assert services.escalate_overdue_problems(now=local(11, day=4)) == 0
    task.refresh_from_db()
    assert task.work_order is None and task.problem_solved_at is not None


def test_unsolved_problem_becomes_a_work_order_after_one_business_day(assigned, users):
    # Friday 4 December: the next business day is Monday 7 December.
    task = services.record_result(
        assigned,
        user=users["callback"],
        content="客户反映楼道灯不亮",
        satisfaction="dissatisfied",
        problem="3号楼楼道灯不亮",
        now=local(10, day=4),
    )
    assert task.problem_due_at == local(10, day=7)
    assert services.escalate_overdue_problems(now=local(9, day=7)) == 0
    assert services.escalate_overdue_problems(now=local(10, day=7)) == 1
    task.refresh_from_db()
    order = task.work_order
    assert order.customer == task.customer and order.data == {"callback": task.number}
    assert order.description == "3号楼楼道灯不亮"
    assert timeline.events_for(task).filter(verb="callback.work_order").exists()
    assert services.escalate_overdue_problems(now=local(10, day=8)) == 0


def test_problem_to_order_at_once_and_refusals(assigned, users):
    with pytest.raises(ValidationError):
        services.problem_to_order(assigned, user=users["callback"])
    task = services.record_result(
        assigned,
        user=users["callback"],
        content="x",
        satisfaction="neutral",
        problem="热水器不出热水",
        now=local(10),
    )
    with pytest.raises(PermissionDenied):
        services.problem_to_order(task, user=users["agent_west"])
    order = services.problem_to_order(task, user=users["callback"])
    assert order.title.startswith("Raised in callback") or "回访" in order.title


def test_deadline_is_kept_from_the_trigger(make_task):
    task = make_task()
    assert task.due_at - task.triggered_at == timedelta(days=1)


def test_sms_callbacks_stay_off_the_agents_lists(make_task, users, org, agents):
    make_task(method="sms")
    assert services.distribute(user=users["supervisor"], unit=org["east"], agents=agents) == {
        a.pk: 0 for a in agents
    }
