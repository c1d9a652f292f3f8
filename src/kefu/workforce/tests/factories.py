import datetime
import random

from kefu.telephony.models import Call, Pbx, Queue, QueueMember


def make_queue(unit, code="aftersales", **kwargs):
    return Queue.objects.create(unit=unit, code=code, name=kwargs.pop("name", code), **kwargs)


def skill(agent, queue, level=3):
    return QueueMember.objects.create(agent=agent, queue=queue, skill_level=level)


def make_calls(queue, *, days, per_hour, seed=1, aht=180):
    """Inbound calls over ``days`` (local dates): ``per_hour(day, hour)`` calls
    spread over each hour, answered after a few seconds."""
    rng = random.Random(seed)
    pbx, _ = Pbx.objects.get_or_create(
        token=f"tok-{queue.unit.code}", defaults={"name": "pbx", "unit": queue.unit}
    )
    tz = datetime.timezone(datetime.timedelta(hours=8))
    rows = []
    for day in days:
        for hour in range(24):
            for i in range(per_hour(day, hour)):
                offered = datetime.datetime.combine(
                    day, datetime.time(hour), tz
                ) + datetime.timedelta(seconds=rng.randrange(3600))
                answered = offered + datetime.timedelta(seconds=rng.randrange(2, 15))
                rows.append(
                    Call(
                        pbx=pbx,
                        call_id=f"{queue.code}-{day}-{hour}-{i}",
                        unit=queue.unit,
                        queue=queue,
                        offered_at=offered,
                        answered_at=answered,
                        ended_at=answered + datetime.timedelta(seconds=aht),
                        disposition=Call.Disposition.ANSWERED,
                        status=Call.Status.ENDED,
                    )
                )
    Call.objects.bulk_create(rows)
    return rows
