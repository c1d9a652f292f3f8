"""Customer file rules: creating and changing customers, caller-ID lookup,
revealing a masked number."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kefu.core import scoping, timeline
from kefu.core.models import AccessLog
from kefu.customers import phones
from kefu.customers.models import Customer, Phone


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
def create_customer(*, user, unit, name, phone_numbers=(), **fields) -> Customer:
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
    timeline.record(
        customer, "customer.created", actor=user, customer=customer,
        message=_("Customer file created"),
        after={"name": customer.name, "segment": customer.segment},
    )
    return customer


TRACKED_FIELDS = ("name", "kind", "segment", "contact_person", "email", "notes")


@transaction.atomic
def update_customer(customer, *, user, phone_numbers=None, **fields) -> Customer:
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
                    customer=customer, number=number,
                    defaults={"kind": phones.kind_of(number), "is_primary": i == 0},
                )
            before["phones"] = [phones.mask(n) for n in old]
            after["phones"] = [phones.mask(n) for n in numbers]
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        timeline.record(
            customer, "customer.updated", actor=user, customer=customer,
            message=_("Customer file changed"),
            before={k: before[k] for k in changed}, after=changed,
        )
    return customer


def lookup_by_phone(raw: str, user=None):
    """Caller-ID lookup: the customers (visible to ``user``) with this number,
    key customers first. Any written form of the number matches."""
    e164 = phones.try_normalize(raw)
    if e164 is None:
        return Customer.objects.none()
    qs = Customer.objects.filter(phones__number=e164)
    if user is not None:
        qs = scoping.scope_by_unit(qs, user)
    return qs.distinct().order_by("-segment", "-created_at")


def search(user, query: str):
    """Customers matching a phone number, a name or a product serial."""
    qs = visible_customers(user)
    query = (query or "").strip()
    if not query:
        return qs
    e164 = phones.try_normalize(query) if sum(c.isdigit() for c in query) >= 5 else None
    cond = Q(name__icontains=query) | Q(products__serial=query)
    if e164:
        cond |= Q(phones__number=e164)
    elif query.isdigit() and len(query) >= 4:
        cond |= Q(phones__number__endswith=query)
    return qs.filter(cond).distinct()


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
