"""Quiet hours (一个避免: never call when customers rest)."""

from django.db.models import Q
from django.utils import timezone

from kefu.callbacks.models import QuietPeriod

VOICE_METHODS = frozenset({"phone", "visit"})


def periods_for(unit):
    ancestors = []
    if unit is not None:
        path = unit.path
        ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    return list(QuietPeriod.objects.filter(Q(unit__isnull=True) | Q(unit__path__in=ancestors)))


def is_quiet(moment, unit=None, periods=None) -> bool:
    local = timezone.localtime(moment).time()
    for period in periods if periods is not None else periods_for(unit):
        if period.start <= period.end:
            if period.start <= local < period.end:
                return True
        elif local >= period.start or local < period.end:
            return True
    return False
