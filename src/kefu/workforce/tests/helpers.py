import datetime

from kefu.workforce.models import Forecast, ForecastInterval

from .conftest import MONDAY

TZ = datetime.timezone(datetime.timedelta(hours=8))


def plan(queue, need, *, hours=range(9, 17), weekdays=range(5), week=MONDAY):
    """A hand-made hourly staffing plan: ``need`` agents in ``hours`` of ``weekdays``."""
    forecast = Forecast.objects.create(
        unit=queue.unit, queue=queue, starts_on=week, days=7, interval_minutes=60
    )
    ForecastInterval.objects.bulk_create(
        ForecastInterval(
            forecast=forecast,
            starts_at=datetime.datetime.combine(
                week + datetime.timedelta(days=d), datetime.time(h), TZ
            ),
            volume=0,
            aht_seconds=180,
            agents=need,
            required=need if d in weekdays and h in hours else 0,
        )
        for d in range(7)
        for h in range(24)
    )
    return forecast
