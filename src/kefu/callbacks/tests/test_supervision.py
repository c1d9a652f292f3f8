from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kefu.callbacks import services, supervision
from kefu.callbacks.models import SpotCheck
from kefu.core import timeline

MONTH = date(2026, 12, 1)


def at(day, hour=10):
    return timezone.make_aware(datetime(2026, 12, day, hour))


@pytest.fixture
def done_tasks(make_task, users):
    tasks = []
    for i in range(6):
        task = make_task(due_at=at(5))
        services.reassign(task, user=users["supervisor"], agent=users["callback"])
        # Two of them late (after the deadline of the 5th).
        day = 3 if i < 4 else 8
        tasks.append(
            services.record_result(
                task,
                user=users["callback"],
                content=f"回访{i}",
                satisfaction="satisfied",
                now=at(day),
            )  # fmt: skip
        )
    return tasks


def test_spot_checks_are_random_but_repeatable(done_tasks, users, org):
    checks = supervision.pick_spot_checks(
        user=users["supervisor"], unit=org["east"], count=3, month=MONTH, seed=7
    )
    assert len(checks) == 3
    picked = {c.task_id for c in checks}
    SpotCheck.objects.all().delete()
    again = supervision.pick_spot_checks(
        user=users["supervisor"], unit=org["east"], count=3, month=MONTH, seed=7
    )
    assert {c.task_id for c in again} == picked
    # Already picked callbacks are not picked twice.
    rest = supervision.pick_spot_checks(
        user=users["supervisor"], unit=org["east"], count=10, month=MONTH
    )
    assert len(rest) == 3 and not picked & {c.task_id for c in rest}


def test_spot_check_permissions(done_tasks, users, org):
    with pytest.raises(PermissionDenied):
        supervision.pick_spot_checks(user=users["callback"], unit=org["east"], count=1, month=MONTH)
    with pytest.raises(PermissionDenied):
        supervision.pick_spot_checks(
            user=users["supervisor"], unit=org["west"], count=1, month=MONTH
        )
    with pytest.raises(ValidationError):
        supervision.pick_spot_checks(
            user=users["supervisor"], unit=org["east"], count=0, month=MONTH
        )
    assert not SpotCheck.objects.exists()


def test_faked_callback_is_flagged_on_the_agent(done_tasks, users, org):
    (check,) = supervision.pick_spot_checks(
        user=users["supervisor"], unit=org["east"], count=1, month=MONTH
    )
    with pytest.raises(ValidationError):
        supervision.record_spot_check(check, user=users["supervisor"], outcome="faked", note="")
    supervision.record_spot_check(
        check, user=users["supervisor"], outcome="faked", note="客户称从未接到回访电话"
    )
    check.task.refresh_from_db()
    assert check.task.faked
    event = timeline.events_for(users["callback"]).get(verb="callback.faked")
    assert "客户称从未接到回访电话" in event.message
    with pytest.raises(ValidationError):
        supervision.record_spot_check(check, user=users["supervisor"], outcome="confirmed")


def test_monthly_score_and_evaluation(done_tasks, users, org):
    checks = supervision.pick_spot_checks(
        user=users["supervisor"], unit=org["east"], count=2, month=MONTH, seed=1
    )
    supervision.record_spot_check(checks[0], user=users["supervisor"], outcome="confirmed")
    supervision.record_spot_check(
        checks[1], user=users["supervisor"], outcome="faked", note="客户否认"
    )
    score = supervision.unit_score(org["east"], MONTH)
    assert (score.done, score.due, score.complete, score.on_time) == (6, 6, 6, 4)
    assert score.completeness == 1 and score.compliance == 1
    assert score.timeliness == pytest.approx(4 / 6) and score.spot_check == 0.5
    assert score.score == pytest.approx(100 * (1 + 1 + 4 / 6 + 0.5) / 4, abs=0.1)
    (row,) = supervision.monthly_scores(users["manager"], MONTH)
    assert row.unit == org["east"]
    assert supervision.monthly_scores(users["agent_west"], MONTH) == []
    report = supervision.evaluation(users["supervisor"], org["east"], MONTH)
    assert len(report["problems"]) == 2  # late callbacks and a faked one
    assert report["satisfaction"] == {"满意": 6}


def test_evaluation_names_policies_below_their_ratio(make_task, users, org):
    make_task(due_at=at(10))
    report = supervision.evaluation(users["supervisor"], org["east"], MONTH)
    assert any("0" in p and "1" in p for p in report["problems"])
    with pytest.raises(PermissionDenied):
        supervision.evaluation(users["supervisor"], org["west"], MONTH)


def test_months_wrap_at_the_year_end():
    start, end = supervision.month_window(date(2026, 12, 15))
    assert end - start == timedelta(days=31) and end.month == 1
