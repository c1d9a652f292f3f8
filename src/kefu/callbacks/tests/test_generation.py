from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.callbacks import generation, sampling
from kefu.callbacks.models import CallbackPolicy, CallbackTask
from kefu.core.models import TimelineEvent
from kefu.customers.models import Address, Product, Segment
from kefu.factories import CustomerFactory, PhoneFactory
from kefu.workorders.models import WorkOrder

DAY = date(2026, 12, 3)


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@settings(max_examples=30, deadline=None)
@given(ratio=st.decimals(min_value="0.01", max_value="0.99", places=2))
def test_sample_share_matches_the_ratio(ratio):
    keys = [f"wo{i}" for i in range(4000)]
    picked = sum(sampling.pick("repair_phone", ratio, key)[0] for key in keys)
    assert abs(picked / len(keys) - float(ratio)) < 0.03


@given(key=st.text(min_size=1, max_size=20), ratio=st.decimals("0", "1", places=3))
def test_sample_is_reproducible_and_auditable(key, ratio):
    chosen, audit = sampling.pick("p", ratio, key)
    assert (chosen, audit) == sampling.pick("p", ratio, key)
    assert audit["draw"] == pytest.approx(sampling.draw("p", key), abs=1e-6)
    if ratio < 1:
        assert chosen == (sampling.draw("p", key) < float(ratio))
    else:
        assert chosen


@settings(deadline=None)
@given(spread=st.integers(min_value=2, max_value=120))
def test_periodic_slots_spread_customers_evenly(spread):
    slots = [sampling.slot("ordinary_sms", c, spread) for c in range(6000)]
    assert set(slots) <= set(range(spread))
    per_day = 6000 / spread
    counts = [slots.count(day) for day in range(spread)]
    assert max(counts) < per_day * 1.6 + 10


def resolve(order, when):
    WorkOrder.objects.filter(pk=order.pk).update(resolved_at=when)


def test_repair_users_half_within_two_weeks(make_order, org):
    orders = []
    for i in range(200):
        customer = CustomerFactory(unit=org["east"])
        order = make_order(title=f"维修{i}", customer=customer)
        resolve(order, at(DAY - timedelta(days=1)))
        orders.append(order)
    created = generation.generate(day=DAY, now=at(DAY, 7))
    tasks = CallbackTask.objects.filter(policy__code="repair_phone")
    assert created["repair_phone"] == tasks.count()
    assert 70 <= tasks.count() <= 130
    expected = {o.pk for o in orders if sampling.pick("repair_phone", "0.5", f"wo{o.pk}")[0]}
    assert set(tasks.values_list("subject_id", flat=True)) == expected
    task = tasks.first()
    assert task.due_at == at(DAY - timedelta(days=1)) + timedelta(days=14)
    assert task.sample["draw"] < 0.5 and task.sample["policy"] == "repair_phone"
    assert task.method == "phone" and task.number.startswith("HF20261203-")
    assert TimelineEvent.objects.filter(verb="callback.created", object_id=task.pk).exists()


def test_generating_twice_creates_nothing_new(make_order, customer):
    resolve(make_order(), at(DAY - timedelta(days=1)))
    generation.generate(day=DAY, now=at(DAY, 7))
    first = CallbackTask.objects.count()
    assert generation.generate(day=DAY, now=at(DAY, 8)) == dict.fromkeys(
        CallbackPolicy.objects.filter(is_active=True).values_list("code", flat=True), 0
    )
    assert CallbackTask.objects.count() == first


def test_sms_to_repair_users_of_three_days_ago(make_order, org):
    for i in range(60):
        customer = CustomerFactory(unit=org["east"])
        resolve(make_order(title=f"维修{i}", customer=customer), at(DAY - timedelta(days=3)))
    generation.generate(day=DAY, now=at(DAY, 7))
    sms = CallbackTask.objects.filter(policy__code="repair_sms")
    assert 15 <= sms.count() <= 45
    assert set(sms.values_list("method", flat=True)) == {"sms"}
    # Orders resolved three days ago are past the phone policy's creation day.
    assert not CallbackTask.objects.filter(policy__code="repair_phone").exists()


def test_key_customers_all_within_three_days(make_order, org):
    key = CustomerFactory(unit=org["east"], segment=Segment.KEY)
    order = make_order(type_code="inquiry", customer=key)
    WorkOrder.objects.filter(pk=order.pk).update(
        closed_at=at(DAY - timedelta(days=1)), state=order.process.states.get(code="archived")
    )
    generation.generate(day=DAY, now=at(DAY, 7))
    task = CallbackTask.objects.get(policy__code="key_customer")
    assert task.mandatory and task.customer == key
    assert task.due_at == at(DAY - timedelta(days=1)) + timedelta(days=3)


def test_new_users_ten_percent_and_mail_sample(org):
    for i in range(300):
        customer = CustomerFactory(unit=org["east"])
        Product.objects.create(
            customer=customer, model=f"K{i}", purchase_date=DAY - timedelta(days=1)
        )
    generation.generate(day=DAY, now=at(DAY, 7))
    new = CallbackTask.objects.filter(policy__code="new_user_phone").count()
    assert 10 <= new <= 55


def test_mail_only_for_address_without_phone(org):
    policy = CallbackPolicy.objects.get(code="mail_sample")
    policy.ratio, policy.spread_days = Decimal("1"), 1
    policy.save()
    letter = CustomerFactory(unit=org["east"])
    Address.objects.create(customer=letter, detail="阳光花园1号楼")
    phoned = CustomerFactory(unit=org["east"])
    Address.objects.create(customer=phoned, detail="阳光花园2号楼")
    PhoneFactory(customer=phoned, number="+8613700001111")
    generation.generate(day=DAY, now=at(DAY, 7))
    mail = CallbackTask.objects.filter(policy__code="mail_sample")
    assert list(mail.values_list("customer", flat=True)) == [letter.pk]


def test_command_runs_for_a_given_day(make_order, capsys):
    resolve(make_order(), at(DAY - timedelta(days=1)))
    call_command("callbacks_generate", "--day", DAY.isoformat())
    assert "total:" in capsys.readouterr().out


def test_command_refuses_a_malformed_day(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("callbacks_generate", "--day", "2026-13-45")
    assert not CallbackTask.objects.exists()
