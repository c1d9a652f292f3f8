"""Human-readable document numbers such as ``GD20261123-0001``.

Numbers are gapless and unique per prefix and day: the counter row is bumped
with an UPDATE inside the caller's transaction, so concurrent callers queue on
the row lock and a rolled-back caller gives its number back."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kefu.core.models import NumberSequence


def next_number(prefix: str, day=None) -> str:
    day = day or timezone.localdate()
    with transaction.atomic():
        rows = NumberSequence.objects.filter(prefix=prefix, day=day)
        if not rows.update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(prefix=prefix, day=day, last=1)
            except IntegrityError:
                rows.update(last=F("last") + 1)
        last = rows.values_list("last", flat=True).get()
    return f"{prefix}{day:%Y%m%d}-{last:04d}"


def reserve_numbers(prefix: str, count: int, day=None) -> list[str]:
    """``count`` consecutive numbers in one UPDATE, for generators that create
    many records at once (the daily callback lists)."""
    if count <= 0:
        return []
    day = day or timezone.localdate()
    with transaction.atomic():
        rows = NumberSequence.objects.filter(prefix=prefix, day=day)
        if not rows.update(last=F("last") + count):
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(prefix=prefix, day=day, last=count)
            except IntegrityError:
                rows.update(last=F("last") + count)
        last = rows.values_list("last", flat=True).get()
    return [f"{prefix}{day:%Y%m%d}-{n:04d}" for n in range(last - count + 1, last + 1)]
