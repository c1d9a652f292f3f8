import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kefu.core.models import TimelineEvent
from kefu.workforce import training
from kefu.workforce.models import EntryExam, Probation, TrainingRecord

from .helpers import TZ


def test_exam_passes_only_with_every_part_at_80(users):
    failed = training.record_exam(
        user=users["supervisor"],
        agent=users["agent"],
        taken_on=datetime.date(2026, 11, 30),
        written=95,
        oral=79,
        system=90,
        conduct=88,
    )
    assert not failed.passed and not Probation.objects.exists()
    passed = training.record_exam(
        user=users["supervisor"],
        agent=users["agent"],
        taken_on=datetime.date(2026, 11, 30),
        written=80,
        oral=80,
        system=80,
        conduct=80,
    )
    assert passed.passed
    probation = Probation.objects.get(agent=users["agent"])
    assert probation.ends_on == datetime.date(2027, 2, 28)  # three months, month end clipped
    assert TimelineEvent.objects.filter(verb="probation.started").count() == 1


def test_malformed_exam_writes_nothing(users):
    with pytest.raises(ValidationError) as error:
        training.record_exam(
            user=users["supervisor"],
            agent=users["agent"],
            taken_on=datetime.date(2026, 11, 30),
            written=101,
            oral=80,
            system=None,
            conduct=80,
        )
    assert set(error.value.message_dict) == {"written", "system"}
    assert not EntryExam.objects.exists()


def test_exam_permissions(users):
    for user, agent in (
        (users["agent"], users["callback"]),
        (users["supervisor"], users["agent_west"]),
    ):
        with pytest.raises(PermissionDenied):
            training.record_exam(
                user=user,
                agent=agent,
                taken_on=datetime.date(2026, 11, 30),
                written=90,
                oral=90,
                system=90,
                conduct=90,
            )
    assert not EntryExam.objects.exists()


def test_probation_review(users):
    probation = Probation.objects.create(
        agent=users["agent"],
        starts_on=datetime.date(2026, 8, 31),
        ends_on=datetime.date(2026, 11, 30),
    )
    assert list(training.due_reviews(Probation.objects.all(), datetime.date(2026, 11, 20))) == [
        probation
    ]
    with pytest.raises(ValidationError):
        training.review_probation(
            user=users["supervisor"], probation=probation, outcome="extended", note=""
        )
    training.review_probation(
        user=users["supervisor"], probation=probation, outcome="extended", note="话术需加强"
    )
    probation.refresh_from_db()
    assert probation.ends_on == datetime.date(2026, 12, 30)
    training.review_probation(
        user=users["supervisor"], probation=probation, outcome="confirmed", note="转正"
    )
    with pytest.raises(ValidationError):
        training.review_probation(
            user=users["supervisor"], probation=probation, outcome="ended", note="x"
        )
    assert TimelineEvent.objects.filter(verb="probation.reviewed").count() == 2


def test_training_sessions_and_records(users, org):
    start = datetime.datetime(2026, 12, 1, 14, tzinfo=TZ)
    with pytest.raises(ValidationError):
        training.schedule_session(
            user=users["supervisor"], unit=org["east"], title=" ", starts_at=start, ends_at=start
        )
    session = training.schedule_session(
        user=users["supervisor"],
        unit=org["east"],
        title="售后话术培训",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    training.record_training(
        user=users["supervisor"], session=session, agent=users["agent"], score=92
    )
    with pytest.raises(ValidationError):
        training.record_training(
            user=users["supervisor"], session=session, agent=users["agent_west"]
        )
    with pytest.raises(PermissionDenied):
        training.record_training(user=users["agent"], session=session, agent=users["agent"])
    assert TrainingRecord.objects.get().score == 92
