"""The wallboard's formulas against examples computed by hand."""

from datetime import timedelta

import pytest

from kefu.api_tests import client_for
from kefu.telephony import metrics
from kefu.telephony.metrics import CallFacts
from kefu.telephony.models import Call
from kefu.telephony.tests.conftest import T0


def answered(wait, handle):
    return CallFacts(
        answered_after=wait, ended_after=wait + handle, handle_seconds=handle, abandoned=False
    )


def abandoned(after):
    return CallFacts(answered_after=None, ended_after=after, handle_seconds=None, abandoned=True)


def test_hand_computed_example():
    # Ten calls: six answered (waits 2, 5, 8, 10, 15, 40; handle 100..350),
    # four abandoned (after 3, 4, 20, 60 s), one still waiting.
    facts = [
        answered(2, 100),
        answered(5, 150),
        answered(8, 200),
        answered(10, 250),
        answered(15, 300),
        answered(40, 350),
        abandoned(3),
        abandoned(4),
        abandoned(20),
        abandoned(60),
        CallFacts(answered_after=None, ended_after=None, handle_seconds=None, abandoned=False),
    ]
    s = metrics.summarize(facts, target_seconds=10, short_abandon_seconds=5)
    assert (s.offered, s.answered, s.abandoned, s.short_abandoned) == (10, 6, 4, 2)
    # answered within 10 s: 2, 5, 8, 10 → 4; base 10 − 2 short abandons = 8
    assert s.answered_in_target == 4
    assert s.service_level == pytest.approx(4 / 8)
    assert s.asa == pytest.approx((2 + 5 + 8 + 10 + 15 + 40) / 6)
    assert s.aht == pytest.approx((100 + 150 + 200 + 250 + 300 + 350) / 6)
    assert s.abandon_rate == pytest.approx(4 / 10)


def test_threshold_is_configurable():
    facts = [answered(2, 60), answered(15, 60), answered(25, 60)]
    assert metrics.summarize(facts, target_seconds=20).service_level == pytest.approx(2 / 3)
    assert metrics.summarize(facts, target_seconds=30).service_level == 1


def test_no_calls_gives_no_figures():
    s = metrics.summarize([])
    assert (s.offered, s.service_level, s.asa, s.aht, s.abandon_rate) == (0, None, None, None, None)


def make_call(pbx, queue, n, *, answer=None, end, wrapup=None, disposition, **fields):
    offered = T0 + timedelta(minutes=n)
    return Call.objects.create(
        pbx=pbx,
        unit=pbx.unit,
        queue=queue,
        call_id=f"m{n}",
        offered_at=offered,
        answered_at=offered + timedelta(seconds=answer) if answer is not None else None,
        ended_at=offered + timedelta(seconds=end),
        wrapup_ended_at=offered + timedelta(seconds=wrapup) if wrapup else None,
        status=Call.Status.ENDED,
        disposition=disposition,
        **fields,
    )


def test_period_summary_from_call_records(pbx, queue):
    make_call(pbx, queue, 1, answer=6, end=126, wrapup=156, disposition="answered")
    make_call(pbx, queue, 2, answer=14, end=74, disposition="answered")
    make_call(pbx, queue, 3, end=3, disposition="abandoned")
    make_call(pbx, queue, 4, end=33, disposition="abandoned")
    # Left out: blocked, after hours, outbound.
    make_call(pbx, queue, 5, end=1, disposition="rejected")
    make_call(pbx, queue, 6, end=30, disposition="voicemail", after_hours=True)
    make_call(pbx, queue, 7, answer=3, end=50, disposition="answered", direction="out")
    s = metrics.period_summary(Call.objects.all(), T0, T0 + timedelta(hours=1))
    assert (s.offered, s.answered, s.abandoned, s.short_abandoned) == (4, 2, 2, 1)
    assert s.service_level == pytest.approx(1 / 3)
    assert s.asa == pytest.approx(10)
    # (120 talk + 30 wrap-up) and 60 talk
    assert s.aht == pytest.approx((150 + 60) / 2)
    assert s.abandon_rate == pytest.approx(0.5)


def test_wallboard_is_scoped(users, pbx, queue, org):
    from kefu.telephony.tests.factories import PbxFactory, QueueFactory

    west_pbx = PbxFactory(unit=org["west"], token="west-token-000000001")
    west_queue = QueueFactory(unit=org["west"], code="west-service")
    make_call(west_pbx, west_queue, 1, answer=5, end=60, disposition="answered")
    board = client_for(users["supervisor"]).get("/api/wallboard/").json()
    assert [q["code"] for q in board["queues"]] == ["service"]
    assert client_for(users["manager"]).get("/api/wallboard/").status_code == 200
    assert client_for(users["handler"]).get("/api/wallboard/").status_code == 403
