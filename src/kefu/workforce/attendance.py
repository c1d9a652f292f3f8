"""Attendance and schedule adherence from the agents' phone states.

An agent adheres while ready, ringing, on a call or in wrap-up during the
shift's working time; the break is not working time, so what the agent does
then neither helps nor hurts. Adherence is that time over the scheduled
working time."""

from collections import defaultdict

from kefu.telephony.models import AgentStateLog, AgentStatus

WORKING = {AgentStatus.READY, AgentStatus.RINGING, AgentStatus.ON_CALL, AgentStatus.WRAP_UP}


def _overlap(a_start, a_end, b_start, b_end):
    return max(0.0, (min(a_end, b_end) - max(a_start, b_start)).total_seconds())


def adherence(shifts, now):
    """One row per shift: scheduled, adhering and logged-in minutes, the
    first login and the lateness, and whether the agent was absent."""
    shifts = list(shifts)
    if not shifts:
        return []
    start = min(s.starts_at for s in shifts)
    end = max(s.ends_at for s in shifts)
    logs = defaultdict(list)
    for log in AgentStateLog.objects.filter(
        agent_id__in={s.agent_id for s in shifts}, started_at__lt=end
    ).exclude(ended_at__lt=start):
        logs[log.agent_id].append(log)
    rows = []
    for shift in shifts:
        breaks = (shift.break_starts_at, shift.break_ends_at) if shift.break_starts_at else None
        shift_end = min(shift.ends_at, now)
        scheduled = max(0.0, (shift_end - shift.starts_at).total_seconds())
        if breaks:
            scheduled -= _overlap(shift.starts_at, shift_end, *breaks)
        adhering = logged_in = 0.0
        first_login = None
        for log in logs[shift.agent_id]:
            log_end = log.ended_at or now
            seen = _overlap(shift.starts_at, shift_end, log.started_at, log_end)
            if not seen or log.status == AgentStatus.LOGGED_OUT:
                continue
            logged_in += seen
            login = max(log.started_at, shift.starts_at)
            first_login = login if first_login is None else min(first_login, login)
            in_break = _overlap(log.started_at, log_end, *breaks) if breaks else 0.0
            if log.status in WORKING:
                adhering += seen - in_break
        late = (first_login - shift.starts_at).total_seconds() / 60 if first_login else None
        rows.append(
            {
                "shift": shift,
                "scheduled_minutes": round(scheduled / 60),
                "adhering_minutes": round(adhering / 60),
                "logged_in_minutes": round(logged_in / 60),
                "adherence": round(adhering / scheduled, 3) if scheduled > 0 else None,
                "first_login": first_login,
                "late_minutes": round(late) if late is not None else None,
                "absent": first_login is None and scheduled > 0 and shift.leave_id is None,
                "on_leave": shift.leave_id is not None,
            }
        )
    return rows
