"""Workforce demo: per service center a queue with eight weeks of calls
(when telephony brought none), the seeds' e-commerce shifts, a forecast and
roster for this week and the next, leave requests, an entry examination with
its probation and a training session."""

import datetime
import zoneinfo

from kefu.core.roles import Role
from kefu.telephony.models import Call, Pbx, Queue, QueueMember

from . import leave, planning, rosters, training
from .models import LeaveRequest, WorkProfile

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
HISTORY_WEEKS = 4
# Two centers are enough to show the planning; more only slow the demo down.
CENTERS = 2
# Calls an hour on a weekday, 08:00–21:00; weekends carry 60 %.
HOURLY = [0, 0, 0, 0, 0, 0, 0, 0, 6, 14, 18, 16, 10, 12, 16, 15, 12, 9, 7, 5, 4, 2, 0, 0]


def _queue(center, rng):
    queue = Queue.objects.filter(unit=center, is_active=True).first()
    if queue is None:
        queue = Queue.objects.create(
            unit=center,
            code=f"wf-{center.code}",
            name=center.name if center.name.endswith("热线") else f"{center.name}热线",
            name_en="Hotline",
        )
    return queue


def _history(queue, rng, today):
    """Weeks of answered calls before ``today``, unless the queue has some
    (the telephony demo makes only today's)."""
    if Call.objects.filter(queue=queue, offered_at__date__lt=today).exists():
        return
    pbx, _ = Pbx.objects.get_or_create(
        token=f"demo-wf-{queue.unit.code}",
        defaults={"name": f"{queue.unit.name} PBX", "unit": queue.unit},
    )
    rows = []
    for back in range((HISTORY_WEEKS + planning.BACKTEST_WEEKS) * 7, 0, -1):
        day = today - datetime.timedelta(days=back)
        factor = 0.6 if day.weekday() >= 5 else 1.0
        for hour, mean in enumerate(HOURLY):
            for i in range(max(0, round(rng.gauss(mean * factor, (mean * factor) ** 0.5)))):
                offered = datetime.datetime.combine(
                    day, datetime.time(hour), TZ
                ) + datetime.timedelta(seconds=rng.randrange(3600))
                answered = offered + datetime.timedelta(seconds=rng.randrange(2, 25))
                rows.append(
                    Call(
                        pbx=pbx,
                        call_id=f"wf-{queue.code}-{day:%Y%m%d}-{hour}-{i}",
                        unit=queue.unit,
                        queue=queue,
                        caller=f"+86138{rng.randrange(10**8):08d}",
                        offered_at=offered,
                        answered_at=answered,
                        ended_at=answered + datetime.timedelta(seconds=max(40, rng.gauss(200, 60))),
                        status=Call.Status.ENDED,
                        disposition=Call.Disposition.ANSWERED,
                    )
                )
    Call.objects.bulk_create(rows, batch_size=2000)


def load(organisation, rng, now):
    planner = organisation.users["admin"]
    today = now.astimezone(TZ).date()
    monday = today - datetime.timedelta(days=today.weekday())
    sites = [s for s in organisation.sites if s.agents][:CENTERS]
    for staff in sites:
        center = staff.center
        agents = [*staff.agents, *staff.callback_agents]
        queue = _queue(center, rng)
        for agent in agents:
            QueueMember.objects.get_or_create(
                queue=queue, agent=agent, defaults={"skill_level": rng.randint(2, 5)}
            )
            WorkProfile.objects.get_or_create(
                agent=agent, defaults={"weekly_hours": 40 if agent.role == Role.AGENT else 30}
            )
        _history(queue, rng, monday)
        rosters.install_templates(user=planner, unit=center)
        for week in (monday, monday + datetime.timedelta(days=7)):
            planning.build_forecast(
                user=planner,
                unit=center,
                queue=queue,
                starts_on=week,
                interval_minutes=30,
                history_weeks=HISTORY_WEEKS,
                shrinkage=0.25,
            )
        sick = leave.request_leave(
            user=agents[0],
            kind=LeaveRequest.Kind.SICK,
            starts_at=datetime.datetime.combine(
                monday + datetime.timedelta(days=8), datetime.time(0), TZ
            ),
            ends_at=datetime.datetime.combine(
                monday + datetime.timedelta(days=8), datetime.time(23, 59), TZ
            ),
            reason="发烧,医院开具病假条",
        )
        for week in (monday, monday + datetime.timedelta(days=7)):
            rosters.generate_roster(user=planner, unit=center, week_start=week, time_limit=2)
        leave.decide_leave(user=planner, leave=sick, approve=True, note="同意,注意休息")
        if len(agents) > 1:
            leave.request_leave(
                user=agents[1],
                kind=LeaveRequest.Kind.ANNUAL,
                starts_at=datetime.datetime.combine(
                    monday + datetime.timedelta(days=11), datetime.time(8), TZ
                ),
                ends_at=datetime.datetime.combine(
                    monday + datetime.timedelta(days=11), datetime.time(22), TZ
                ),
                reason="回老家办事",
            )
        session = training.schedule_session(
            user=planner,
            unit=center,
            title="差评回访话术与投诉安抚",
            topic="电话联系差评客户,耐心、声音温和",
            starts_at=datetime.datetime.combine(
                monday - datetime.timedelta(days=3), datetime.time(14), TZ
            ),
            ends_at=datetime.datetime.combine(
                monday - datetime.timedelta(days=3), datetime.time(16), TZ
            ),
            trainer="培训主管",
            location="三楼培训室",
        )
        for agent in agents:
            training.record_training(
                user=planner,
                session=session,
                agent=agent,
                attended=rng.random() > 0.1,
                score=rng.randint(70, 98),
            )
        newcomer = agents[-1]
        training.record_exam(
            user=planner,
            agent=newcomer,
            taken_on=today - datetime.timedelta(days=80),
            written=rng.randint(80, 95),
            oral=rng.randint(80, 92),
            system=rng.randint(82, 96),
            conduct=rng.randint(85, 95),
        )
