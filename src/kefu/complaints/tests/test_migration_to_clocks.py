"""Upgrading from the version that kept complaint deadlines on the complaint
row: open complaints get clocks carrying the same deadlines, stopped where
the complaint has already passed the point that keeps them, and nothing is
lost or invented for closed complaints."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kefu.complaints.models import ComplaintCategory
from kefu.factories import OrgUnitFactory, UserFactory

BEFORE = [("complaints", "0002_default_categories"), ("sla", "0002_step_and_update_clocks")]
AFTER = [("complaints", "0003_deadlines_on_sla_clocks")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    yield migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_open_complaints_keep_their_deadlines_as_clocks(old_schema):
    unit = OrgUnitFactory()
    user = UserFactory(unit=unit)
    category, _ = ComplaintCategory.objects.get_or_create(name="服务态度")
    Complaint = old_schema.get_model("complaints", "Complaint")
    now = timezone.now()
    received = now - timedelta(hours=30)
    judged = received + timedelta(hours=2)

    def old(number, status, **fields):
        return Complaint.objects.create(
            number=number,
            unit_id=unit.pk,
            registered_by_id=user.pk,
            category_id=category.pk,
            complainant_name="张先生",
            channel="call",
            content="投诉",
            status=status,
            received_at=received,
            due_at=received + timedelta(hours=48),
            **fields,
        )

    handling = old("TS-1", "handling")
    informed = old(
        "TS-2", "awaiting_callback", informed_at=received + timedelta(hours=50), judged_at=judged
    )
    outside = old(
        "TS-3",
        "executing",
        judged_at=judged,
        outside_reply_due_at=judged + timedelta(days=3),
        outside_close_due_at=judged + timedelta(days=10),
    )
    old("TS-4", "closed", closed_at=now)

    apps = migrate(AFTER)
    SlaClock = apps.get_model("sla", "SlaClock")

    def clocks(complaint):
        return {c.metric: c for c in SlaClock.objects.filter(complaint_id=complaint.pk)}

    (running,) = clocks(handling).values()
    assert (running.metric, running.target_minutes) == ("resolution", 48 * 60)
    assert running.due_at == received + timedelta(hours=48)
    assert running.stopped_at is None and not running.business_time

    # Informed two hours after the deadline: kept late, so breached.
    (late,) = clocks(informed).values()
    assert late.stopped_at == received + timedelta(hours=50)
    assert late.breached_at == received + timedelta(hours=48)
    assert late.due_at is None and late.consumed_seconds == 50 * 3600

    # Executing: the outside party has replied (the moment is unknown, so
    # the upgrade's), its close deadline still runs.
    by_metric = clocks(outside)
    assert set(by_metric) == {"resolution", "outside_reply", "outside_close"}
    assert by_metric["outside_reply"].stopped_at >= now
    assert by_metric["outside_reply"].breached_at is None
    assert by_metric["outside_close"].stopped_at is None
    assert by_metric["outside_close"].due_at == judged + timedelta(days=10)
    assert by_metric["outside_close"].target_minutes == 10 * 24 * 60

    assert SlaClock.objects.filter(complaint__isnull=False).count() == 5

    # Back again: the complaint clocks go with the field that held them.
    migrate(BEFORE)
    assert not old_schema.get_model("sla", "SlaClock").objects.exists()
