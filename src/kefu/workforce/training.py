"""Training sessions and records, entry examinations (上岗考核) and the
three-month probation with its review."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import timeline

from .models import PASS_MARK, EntryExam, Probation, TrainingRecord, TrainingSession
from .permissions import check_planner

PROBATION_MONTHS = 3


def add_months(day, months):
    """The same day ``months`` later, or that month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@transaction.atomic
def schedule_session(*, user, unit, title, starts_at, ends_at, topic="", trainer="", location=""):
    check_planner(user, unit)
    errors = {}
    if not title.strip():
        errors["title"] = [_("Give the session a title.")]
    if not starts_at or not ends_at or ends_at <= starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if errors:
        raise ValidationError(errors)
    session = TrainingSession.objects.create(
        unit=unit,
        title=title.strip(),
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        trainer=trainer,
        location=location,
    )
    timeline.record(session, "training.scheduled", actor=user, after={"title": session.title})
    return session


@transaction.atomic
def record_training(*, user, session, agent, attended=True, score=None, note=""):
    check_planner(user, session.unit)
    if agent.unit is None or not agent.unit.path.startswith(session.unit.path):
        raise ValidationError({"agent": [_("The agent does not work in this unit.")]})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": [_("A score is between 0 and 100.")]})
    record, created = TrainingRecord.objects.update_or_create(
        session=session, agent=agent, defaults={"attended": attended, "score": score, "note": note}
    )
    timeline.record(
        session,
        "training.recorded",
        actor=user,
        message=str(agent),
        after={"agent": agent.username, "attended": attended, "score": score},
    )
    return record


@transaction.atomic
def record_exam(*, user, agent, taken_on, written, oral, system, conduct):
    """Record the four-part entry examination; each part passes at 80. A
    passed examination starts the three-month probation."""
    if agent.unit_id is None:
        raise ValidationError({"agent": [_("The agent belongs to no unit.")]})
    check_planner(user, agent.unit)
    scores = {"written": written, "oral": oral, "system": system, "conduct": conduct}
    errors = {
        part: [_("A score is between 0 and 100.")]
        for part, value in scores.items()
        if value is None or not 0 <= value <= 100
    }
    if errors:
        raise ValidationError(errors)
    passed = all(value >= PASS_MARK for value in scores.values())
    exam = EntryExam.objects.create(
        agent=agent, taken_on=taken_on, pass_mark=PASS_MARK, passed=passed, examiner=user, **scores
    )
    timeline.record(exam, "exam.recorded", actor=user, after={**scores, "passed": passed})
    if passed and not Probation.objects.filter(agent=agent).exists():
        probation = Probation.objects.create(
            agent=agent, starts_on=taken_on, ends_on=add_months(taken_on, PROBATION_MONTHS)
        )
        timeline.record(
            probation,
            "probation.started",
            actor=user,
            after={"starts_on": taken_on.isoformat(), "ends_on": probation.ends_on.isoformat()},
        )
    return exam


@transaction.atomic
def review_probation(*, user, probation, outcome, note, extend_months=1):
    """Close the probation: confirmed, extended (by ``extend_months``) or not confirmed."""
    probation = Probation.objects.select_for_update().get(pk=probation.pk)
    check_planner(user, probation.agent.unit)
    errors = {}
    if outcome not in (
        Probation.Status.CONFIRMED,
        Probation.Status.EXTENDED,
        Probation.Status.ENDED,
    ):
        errors["outcome"] = [_("Choose confirmed, extended or not confirmed.")]
    if not note.strip():
        errors["note"] = [_("Write the review.")]
    if probation.status in (Probation.Status.CONFIRMED, Probation.Status.ENDED):
        errors["outcome"] = [_("This probation is already closed.")]
    if errors:
        raise ValidationError(errors)
    before = {"status": probation.status, "ends_on": probation.ends_on.isoformat()}
    probation.status = outcome
    probation.review_note = note
    probation.reviewed_by = user
    probation.reviewed_at = timezone.now()
    if outcome == Probation.Status.EXTENDED:
        probation.ends_on = add_months(probation.ends_on, extend_months)
    probation.save()
    timeline.record(
        probation,
        "probation.reviewed",
        actor=user,
        message=note,
        before=before,
        after={"status": outcome, "ends_on": probation.ends_on.isoformat()},
    )
    return probation


def due_reviews(queryset, today=None):
    """Probations ending within two weeks (or overdue) and still open."""
    today = today or timezone.localdate()
    return queryset.filter(
        status__in=[Probation.Status.ON_PROBATION, Probation.Status.EXTENDED],
        ends_on__lte=today + datetime.timedelta(days=14),
    )
