import time
from datetime import UTC, date, datetime

import pytest
from django.db import transaction
from django.utils import timezone

from kefu.core.models import NumberSequence
from kefu.core.numbering import next_number
from kefu.core.tests.threads import run_threads

DAY = date(2026, 11, 23)


class Rollback(Exception):
    pass


def sequence_of(number):
    return int(number.rsplit("-", 1)[1])


@pytest.mark.django_db
def test_numbers_are_sequential_per_prefix():
    assert next_number("GD", DAY) == "GD20261123-0001"
    assert next_number("GD", DAY) == "GD20261123-0002"
    assert next_number("TS", DAY) == "TS20261123-0001"
    assert next_number("GD", DAY) == "GD20261123-0003"


@pytest.mark.django_db
def test_numbering_restarts_every_day():
    assert next_number("GD", DAY) == "GD20261123-0001"
    assert next_number("GD", DAY) == "GD20261123-0002"
    assert next_number("GD", date(2026, 11, 24)) == "GD20261124-0001"
    assert next_number("GD", DAY) == "GD20261123-0003"


@pytest.mark.django_db
def test_the_day_is_the_local_day(monkeypatch):
    # 16:30 UTC is already half past midnight of the next day in Shanghai.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    assert next_number("GD") == "GD20261124-0001"


@pytest.mark.django_db
def test_numbers_grow_past_four_digits():
    NumberSequence.objects.create(prefix="GD", day=DAY, last=9999)
    assert next_number("GD", DAY) == "GD20261123-10000"


@pytest.mark.django_db
def test_rolled_back_transaction_gives_its_number_back():
    with pytest.raises(Rollback), transaction.atomic():
        assert next_number("GD", DAY) == "GD20261123-0001"
        raise Rollback
    assert next_number("GD", DAY) == "GD20261123-0001"
    with pytest.raises(Rollback), transaction.atomic():
        assert next_number("GD", DAY) == "GD20261123-0002"
        raise Rollback
    assert next_number("GD", DAY) == "GD20261123-0002"


def test_concurrent_first_numbers_of_a_day_are_unique(thread_database):
    """Every thread starts the day at once: all but one lose the race to
    create the day's counter and must still get a number of their own."""
    taken = []

    def take(index):
        with thread_database(), transaction.atomic():
            taken.append(next_number("GD", DAY))

    run_threads(8, take)
    assert sorted(sequence_of(n) for n in taken) == list(range(1, 9))


def test_concurrent_numbering_has_no_gaps_or_duplicates(thread_database):
    """Threads take numbers in their own transactions, a third of which roll
    back after holding their number for a moment: the committed numbers are
    exactly 1..n."""
    threads, rounds = 6, 8
    committed = []

    def take(index):
        with thread_database():
            for i in range(rounds):
                try:
                    with transaction.atomic():
                        number = next_number("GD", DAY)
                        time.sleep(0.002)
                        if (index + i) % 3 == 0:
                            raise Rollback
                except Rollback:
                    continue
                committed.append(number)

    run_threads(threads, take)
    numbers = sorted(sequence_of(n) for n in committed)
    assert len(numbers) == sum((t + i) % 3 != 0 for t in range(threads) for i in range(rounds))
    assert numbers == list(range(1, len(numbers) + 1))
    with thread_database():
        assert NumberSequence.objects.get(prefix="GD", day=DAY).last == len(numbers)
