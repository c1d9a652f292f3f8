"""Daily generation of callback tasks from the policies (run every morning by
the worker, or by ``kefu callbacks_generate``). Each policy yields its
candidates for the day with set-based queries; the sample and the occasion key
make a second run of the same day a no-op."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import sampling
from kefu.callbacks.models import CallbackPolicy, CallbackTask, Trigger
from kefu.contacts.models import Contact
from kefu.core.choices import Channel
from kefu.core.models import TimelineEvent
from kefu.core.numbering import reserve_numbers
from kefu.customers.models import Address, Customer, Phone, Product
from kefu.workorders.models import WorkOrder

NUMBER_PREFIX = "HF"
CHUNK = 900  # below SQLite's limit of variables in one statement


# Short names of the records an occasion is about, shared by the morning run
# and the events that create tasks at once, so both draw the same sample and
# meet on the same occasion.
KEY_PREFIXES = {"workorder": "wo", "product": "p", "contact": "c"}


def subject_key(subject) -> str:
    name = subject._meta.model_name
    return f"{KEY_PREFIXES.get(name, name)}{subject.pk}"


@dataclass
class Candidate:
    customer_id: int
    unit_id: int
    subject: tuple[int, int] | None  # content type id, object id
    occasion: str
    triggered_at: datetime
    sample: dict


def day_window(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def event_day(policy, day: date) -> date:
    """The day whose events a run on ``day`` turns into tasks. Policies that
    act at once get their tasks from the event itself (``receivers``); the
    morning run catches up with the day before."""
    return day - timedelta(days=max(policy.delay_days, 1))


def _scoped(queryset, policy, field):
    if policy.unit_id:
        queryset = queryset.filter(**{f"{field}__path__startswith": policy.unit.path})
    return queryset


def _segment(queryset, policy, field="customer__segment"):
    return queryset.filter(**{field: policy.segment}) if policy.segment else queryset


def _sampled(policy, rows):
    for customer_id, unit_id, subject, key, at in rows:
        chosen, audit = sampling.pick(policy.code, policy.ratio, key)
        if chosen:
            yield Candidate(customer_id, unit_id, subject, f"{policy.code}:{key}", at, audit)


def _orders(policy, day):
    start, end = day_window(event_day(policy, day))
    if policy.trigger == Trigger.REPAIR_COMPLETED:
        orders = WorkOrder.objects.filter(
            resolved_at__gte=start, resolved_at__lt=end, order_type__code="repair"
        )
        stamp = "resolved_at"
    else:
        orders = WorkOrder.objects.filter(
            closed_at__gte=start, closed_at__lt=end, state__code="archived"
        )
        stamp = "closed_at"
    orders = _segment(_scoped(orders.filter(customer__isnull=False), policy, "unit"), policy)
    type_id = ContentType.objects.get_for_model(WorkOrder).pk
    rows = orders.values_list("id", "customer_id", "unit_id", stamp)
    return _sampled(
        policy, ((c, u, (type_id, i), f"wo{i}", at) for i, c, u, at in rows.iterator(2000))
    )


def _purchases(policy, day):
    bought = event_day(policy, day)
    products = _segment(
        _scoped(Product.objects.filter(purchase_date=bought), policy, "customer__unit"), policy
    )
    type_id = ContentType.objects.get_for_model(Product).pk
    at = day_window(bought)[0]
    rows = products.values_list("id", "customer_id", "customer__unit_id")
    return _sampled(policy, ((c, u, (type_id, i), f"p{i}", at) for i, c, u in rows))


def _visits(policy, day):
    visited = event_day(policy, day)
    start, end = day_window(visited)
    bought = Product.objects.filter(customer=OuterRef("customer"), purchase_date__gte=visited)
    visits = _segment(
        _scoped(
            Contact.objects.filter(
                channel=Channel.WALK_IN,
                occurred_at__gte=start,
                occurred_at__lt=end,
                customer__isnull=False,
            ).filter(~Exists(bought)),
            policy,
            "unit",
        ),
        policy,
    )
    type_id = ContentType.objects.get_for_model(Contact).pk
    rows = visits.values_list("id", "customer_id", "unit_id", "occurred_at")
    return _sampled(policy, ((c, u, (type_id, i), f"c{i}", at) for i, c, u, at in rows))


def _periodic(policy, day):
    spread = max(policy.spread_days, 1)
    cycle, today = divmod(day.toordinal(), spread)
    customers = _segment(_scoped(Customer.objects.all(), policy, "unit"), policy, "segment")
    if policy.address_without_phone:
        customers = customers.filter(
            Exists(Address.objects.filter(customer=OuterRef("pk"))),
            ~Exists(Phone.objects.filter(customer=OuterRef("pk"))),
        )
    at = day_window(day)[0]
    rows = customers.values_list("id", "unit_id").iterator(5000)
    return _sampled(
        policy,
        (
            (c, u, None, f"{c}:q{cycle}", at)
            for c, u in rows
            if sampling.slot(policy.code, c, spread) == today
        ),
    )


SOURCES = {
    Trigger.REPAIR_COMPLETED: _orders,
    Trigger.ORDER_ARCHIVED: _orders,
    Trigger.PURCHASE: _purchases,
    Trigger.VISIT_NO_PURCHASE: _visits,
    Trigger.PERIODIC: _periodic,
}


def candidates(policy, day):
    source = SOURCES.get(policy.trigger)
    return source(policy, day) if source else iter(())


@transaction.atomic
def generate(day: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """Create the day's callback tasks; returns the number created per policy."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    created = {}
    type_id = ContentType.objects.get_for_model(CallbackTask).pk
    for policy in CallbackPolicy.objects.filter(is_active=True).select_related("unit"):
        found = list(candidates(policy, day))
        fresh = _without_existing(found)
        numbers = reserve_numbers(NUMBER_PREFIX, len(fresh), day=timezone.localdate(now))
        tasks = [
            CallbackTask(
                number=number,
                unit_id=c.unit_id,
                customer_id=c.customer_id,
                policy=policy,
                trigger=policy.trigger,
                subject_type_id=c.subject[0] if c.subject else None,
                subject_id=c.subject[1] if c.subject else None,
                occasion=c.occasion,
                method=policy.method,
                priority=policy.priority,
                mandatory=policy.mandatory,
                sample=c.sample,
                created_at=now,
                triggered_at=c.triggered_at,
                due_at=max(c.triggered_at + timedelta(days=policy.deadline_days), now),
            )
            for number, c in zip(numbers, fresh, strict=True)
        ]
        CallbackTask.objects.bulk_create(tasks, batch_size=2000)
        _record_created(tasks, type_id, policy, now)
        created[policy.code] = len(tasks)
    return created


def _without_existing(found):
    seen = set()
    for start in range(0, len(found), CHUNK):
        keys = [c.occasion for c in found[start : start + CHUNK]]
        seen.update(
            CallbackTask.objects.filter(occasion__in=keys).values_list("occasion", flat=True)
        )
    return [c for c in found if c.occasion not in seen]


def _record_created(tasks, type_id, policy, now):
    """The timeline event of each new task, written in bulk (a morning's list
    can hold thousands)."""
    if not tasks:
        return
    by_occasion = {}
    for start in range(0, len(tasks), CHUNK):
        chunk = [t.occasion for t in tasks[start : start + CHUNK]]
        by_occasion.update(
            CallbackTask.objects.filter(occasion__in=chunk).values_list("occasion", "id")
        )
    message = _("Callback task created by policy %(policy)s") % {"policy": policy.name}
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                content_type_id=type_id,
                object_id=by_occasion[t.occasion],
                customer_id=t.customer_id,
                verb="callback.created",
                at=now,
                message=message,
                after={"number": t.number, "method": t.method, "due_at": t.due_at.isoformat()},
            )
            for t in tasks
        ],
        batch_size=2000,
    )
