"""Customer file rules: creating and changing customers (with their phone
numbers, addresses and products), caller-ID lookup, search, duplicate
detection, revealing a masked number."""

from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext as _

from kefu.contacts.models import Contact
from kefu.contacts.services import visible_contacts
from kefu.core import scoping, timeline
from kefu.core.models import AccessLog
from kefu.customers import phones
from kefu.customers.models import Address, Customer, Phone, Product, Segment
from kefu.workorders.models import WorkOrder
from kefu.workorders.services import visible_orders


def visible_customers(user):
    return scoping.scope_by_unit(Customer.objects.all(), user)


def _clean_numbers(numbers) -> list[str]:
    cleaned, errors = [], []
    for raw in numbers:
        if not raw or not str(raw).strip():
            continue
        try:
            e164 = phones.normalize(str(raw))
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if e164 not in cleaned:
            cleaned.append(e164)
    if errors:
        raise ValidationError({"phones": errors})
    return cleaned


@transaction.atomic
def create_customer(
    *, user, unit, name, phone_numbers=(), addresses=(), products=(), **fields
) -> Customer:
    """A new customer file. ``addresses`` and ``products`` are lists of dicts
    with the fields of ``ADDRESS_FIELDS`` / ``PRODUCT_FIELDS``."""
    if not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot create customers in this unit."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the customer's name.")]})
    numbers = _clean_numbers(phone_numbers)
    tags = fields.pop("tags", None)
    customer = Customer(unit=unit, name=name, created_by=user, **fields)
    customer.full_clean(exclude=["created_by"])
    customer.save()
    if tags:
        customer.tags.set(tags)
    for i, number in enumerate(numbers):
        Phone.objects.create(
            customer=customer, number=number, kind=phones.kind_of(number), is_primary=(i == 0)
        )
    after = {"name": customer.name, "segment": customer.segment}
    if numbers:
        after["phones"] = [phones.mask(n) for n in numbers]
    for key, model, field_names, rows in _children(addresses, products):
        now = _sync_children(customer, key, model, field_names, rows)[1]
        if now:
            after[key] = now
    timeline.record(
        customer,
        "customer.created",
        actor=user,
        customer=customer,
        message=_("Customer file created"),
        after=after,
    )
    return customer


TRACKED_FIELDS = ("name", "kind", "segment", "contact_person", "email", "notes")


@transaction.atomic
def update_customer(
    customer, *, user, phone_numbers=None, addresses=None, products=None, **fields
) -> Customer:
    """Change a customer file; ``None`` leaves phones/addresses/products as
    they are, a list replaces them (rows with an ``id`` update that row)."""
    if not scoping.can_see_unit(user, customer.unit):
        raise PermissionDenied(_("You cannot see this customer."))
    if "unit" in fields and not scoping.can_see_unit(user, fields["unit"]):
        raise PermissionDenied(_("You cannot move customers to this unit."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {f: getattr(customer, f) for f in TRACKED_FIELDS if f in fields}
    tags = fields.pop("tags", None)
    for key, value in fields.items():
        setattr(customer, key, value)
    customer.full_clean(exclude=["created_by"])
    customer.save()
    if tags is not None:
        customer.tags.set(tags)
    after = {f: getattr(customer, f) for f in before}
    if phone_numbers is not None:
        numbers = _clean_numbers(phone_numbers)
        old = sorted(customer.phones.values_list("number", flat=True))
        if sorted(numbers) != old:
            customer.phones.exclude(number__in=numbers).delete()
            for i, number in enumerate(numbers):
                Phone.objects.update_or_create(
                    customer=customer,
                    number=number,
                    defaults={"kind": phones.kind_of(number), "is_primary": i == 0},
                )
            before["phones"] = [phones.mask(n) for n in old]
            after["phones"] = [phones.mask(n) for n in numbers]
    for key, model, field_names, rows in _children(addresses, products):
        if rows is not None:
            before[key], after[key] = _sync_children(customer, key, model, field_names, rows)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        timeline.record(
            customer,
            "customer.updated",
            actor=user,
            customer=customer,
            message=_("Customer file changed"),
            before={k: before[k] for k in changed},
            after=changed,
        )
    return customer


ADDRESS_FIELDS = ("label", "region", "detail", "project", "building", "room", "postcode")
PRODUCT_FIELDS = ("model", "serial", "purchase_date", "dealer", "receipt_no")


def _children(addresses, products):
    return (
        ("addresses", Address, ADDRESS_FIELDS, addresses),
        ("products", Product, PRODUCT_FIELDS, products),
    )


def _sync_children(customer, key, model, field_names, rows):
    """Make the customer's addresses or products exactly ``rows``; rows with
    nothing filled in are skipped. Returns the (before, after) summaries for
    the timeline; raises ValidationError({key: [...]}) naming the bad row."""
    existing = {obj.pk: obj for obj in getattr(customer, key).all()}
    before = [str(obj) for obj in existing.values()]
    keep, errors = [], []
    for number, row in enumerate(rows, start=1):
        row = dict(row)
        pk = row.pop("id", None)
        unknown = sorted(set(row) - set(field_names))
        if unknown:
            errors.append(
                _("Row %(row)d: unknown fields %(fields)s.")
                % {"row": number, "fields": ", ".join(unknown)}
            )
            continue
        values = {f: v.strip() if isinstance(v, str) else v for f, v in row.items()}
        if pk is None and not any(values.values()):
            continue
        obj = existing.get(pk) if pk is not None else model(customer=customer)
        if obj is None:
            errors.append(_("Row %(row)d does not belong to this customer.") % {"row": number})
            continue
        for f, v in values.items():
            setattr(obj, f, "" if v is None and not model._meta.get_field(f).null else v)
        try:
            obj.full_clean(exclude=["customer"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = model._meta.get_field(field).verbose_name
                errors.extend(
                    _("Row %(row)d, %(field)s: %(message)s")
                    % {"row": number, "field": label, "message": m}
                    for m in messages
                )
        keep.append(obj)
    if errors:
        raise ValidationError({key: errors})
    kept = {obj.pk for obj in keep if obj.pk is not None}
    getattr(customer, key).exclude(pk__in=kept).delete()
    for obj in keep:
        obj.save()
    return before, [str(obj) for obj in keep]


def find_duplicates(user, phone_numbers, exclude=None):
    """Customers visible to ``user`` that already have one of these numbers
    (typed in any form; unreadable ones are ignored), so the agent can open
    that file instead of creating a second one."""
    numbers = {n for n in (phones.try_normalize(str(r)) for r in phone_numbers if r) if n}
    if not numbers:
        return Customer.objects.none()
    qs = visible_customers(user).filter(
        pk__in=Phone.objects.filter(number__in=numbers).values("customer_id")
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.select_related("unit").prefetch_related("phones")


def lookup_by_phone(raw: str, user=None):
    """Caller-ID lookup: the customers (visible to ``user``) with this number,
    key customers first. Any written form of the number matches."""
    e164 = phones.try_normalize(raw)
    if e164 is None:
        return Customer.objects.none()
    # A subquery on the number's index, not a join: with a join SQLite may
    # walk every customer of the user's unit instead (30 ms on 50,000 rows
    # against 0.1 ms).
    qs = Customer.objects.filter(pk__in=Phone.objects.filter(number=e164).values("customer_id"))
    if user is not None:
        qs = scoping.scope_by_unit(qs, user)
    key_first = Case(When(segment=Segment.KEY, then=Value(0)), default=Value(1))
    return qs.order_by(key_first, "-created_at")


class Caller(NamedTuple):
    id: int
    unit_id: int
    is_key: bool


def caller(raw: str) -> Caller | None:
    """The customer a call is from, as the call center needs it: the one
    ``lookup_by_phone`` lists first."""
    return callers([raw])[raw]


def callers(raws) -> dict[str, Caller | None]:
    """``caller`` of many numbers in one query (a batch of call events).
    Plain SQL: every new call asks, and compiling the ORM's query took
    longer than running it."""
    e164s = {raw: phones.try_normalize(raw) for raw in raws}
    wanted = sorted({number for number in e164s.values() if number})
    found = {}
    if wanted:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT p.number, c.id, c.unit_id, c.segment FROM {Phone._meta.db_table} p"
                f" JOIN {Customer._meta.db_table} c ON c.id = p.customer_id"
                f" WHERE p.number IN ({', '.join(['%s'] * len(wanted))})"
                " ORDER BY p.number, CASE WHEN c.segment = %s THEN 0 ELSE 1 END,"
                " c.created_at DESC",
                [*wanted, Segment.KEY.value],
            )
            for number, pk, unit_id, segment in cursor.fetchall():
                found.setdefault(number, Caller(pk, unit_id, segment == Segment.KEY))
    return {raw: found.get(e164) for raw, e164 in e164s.items()}


PHONE_CHARACTERS = set("0123456789+-() ")


def search(user, query: str):
    """Customers matching a phone number, a name or a product serial."""
    qs = visible_customers(user)
    query = (query or "").strip()
    if not query:
        return qs
    # Subqueries rather than joins: no DISTINCT over a join of the whole
    # customer table, which keeps a search on hundreds of thousands of rows fast.
    e164 = phones.try_normalize(query) if sum(c.isdigit() for c in query) >= 5 else None
    cond = Q(pk__in=Product.objects.filter(serial=query).values("customer_id"))
    # Something that can only be a number is not looked for in the names:
    # that would read every file.
    if not set(query) <= PHONE_CHARACTERS:
        cond |= Q(name__icontains=query)
    if e164:
        cond |= Q(pk__in=Phone.objects.filter(number=e164).values("customer_id"))
    # Up to eight digits may be the end of a number, or a landline's local
    # number typed without its area code.
    if query.isdigit() and 4 <= len(query) <= 8:
        cond |= Q(pk__in=Phone.objects.filter(number__endswith=query).values("customer_id"))
    return qs.filter(cond)


def filter_customers(user, *, query="", segment="", kind="", tag=None):
    """The customer list: ``search`` narrowed by segment, kind and tag."""
    qs = search(user, query)
    if segment:
        qs = qs.filter(segment=segment)
    if kind:
        qs = qs.filter(kind=kind)
    if tag is not None:
        qs = qs.filter(pk__in=Customer.tags.through.objects.filter(tag=tag).values("customer_id"))
    return qs


def customer_timeline(customer, user):
    """The customer's one timeline (contacts, orders, their steps, changes to
    the file), without the events of orders and contacts that were registered
    where ``user`` cannot see them."""
    hidden_orders = WorkOrder.objects.filter(customer=customer).exclude(
        pk__in=visible_orders(user).values("pk")
    )
    hidden_contacts = Contact.objects.filter(customer=customer).exclude(
        pk__in=visible_contacts(user).values("pk")
    )
    return (
        timeline.events_for_customer(customer)
        .exclude(
            content_type=ContentType.objects.get_for_model(WorkOrder),
            object_id__in=hidden_orders.values("pk"),
        )
        .exclude(
            content_type=ContentType.objects.get_for_model(Contact),
            object_id__in=hidden_contacts.values("pk"),
        )
    )


def reveal_phone(phone: Phone, *, user, ip_address=None) -> str:
    """The full number, for a user who may see the customer; the view is logged."""
    if not scoping.can_see_unit(user, phone.customer.unit):
        raise PermissionDenied(_("You cannot see this customer."))
    AccessLog.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(phone.customer),
        object_id=phone.customer_id,
        field=f"phone:{phone.pk}",
        ip_address=ip_address,
    )
    return phone.display
