import datetime

from kefu.telephony.models import AgentStateLog, AgentStatus
from kefu.workforce import attendance, rosters
from kefu.workforce.models import Roster

from .conftest import MONDAY
from .helpers import TZ


def _log(agent, status, start, end, reason=""):
    day = datetime.datetime.combine(MONDAY, datetime.time(), TZ)
    AgentStateLog.objects.create(
        agent=agent,
        status=status,
        reason=reason,
        started_at=day + datetime.timedelta(hours=start),
        ended_at=day + datetime.timedelta(hours=end),
    )


def test_adherence_and_lateness(users, org, queue, team, templates):
    roster = Roster.objects.create(unit=org["east"], week_start=MONDAY)
    shift = rosters.set_shift(
        user=users["supervisor"],
        roster=roster,
        agent=team[0],
        day=MONDAY,
        template=templates["early"],
    )
    absent = rosters.set_shift(
        user=users["supervisor"],
        roster=roster,
        agent=team[1],
        day=MONDAY,
        template=templates["early"],
    )
    # Early shift 08:30-17:00, break 12:00-13:00: 450 working minutes.
    _log(team[0], AgentStatus.READY, 9, 12.5)  # 30 minutes late, 30 into the break
    _log(team[0], AgentStatus.NOT_READY, 12.5, 13, "meal")
    _log(team[0], AgentStatus.ON_CALL, 13, 16)
    _log(team[0], AgentStatus.NOT_READY, 16, 17, "other")
    rows = {row["shift"]: row for row in attendance.adherence([shift, absent], now=shift.ends_at)}
    row = rows[shift]
    assert row["scheduled_minutes"] == 450
    assert row["late_minutes"] == 30
    assert row["adhering_minutes"] == 180 + 180
    assert row["adherence"] == round(360 / 450, 3)
    assert not row["absent"] and rows[absent]["absent"]
