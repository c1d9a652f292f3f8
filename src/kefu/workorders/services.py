"""Work-order rules: registering (alone or with its contact in one step),
editing, notes, attachments, charges, and the queues people work from
(department inbox, charges to bill). Moving an order through its process is
``kefu.processes.engine.take_transition``."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.contacts.models import Contact
from kefu.contacts.services import register_contact
from kefu.core import scoping, timeline
from kefu.core.models import Department
from kefu.core.numbering import next_number
from kefu.customers import phones
from kefu.customers.models import Customer
from kefu.processes.models import ProcessDefinition, State
from kefu.workorders.models import Attachment, Charge, Note, WorkOrder
from kefu.workorders.permissions import can_see, visibility_q
from kefu.workorders.process_fields import departments_for_unit

NUMBER_PREFIX = "GD"
# How long a returned order stays in the department inbox's "recently returned" tab.
RECENTLY_RETURNED_DAYS = 7


def visible_orders(user):
    return WorkOrder.objects.filter(visibility_q(user))


def overdue_q(now=None) -> Q:
    """Orders past their deadline that are neither resolved nor closed (the
    query form of ``WorkOrder.is_overdue``)."""
    return Q(due_at__lt=now or timezone.now(), resolved_at__isnull=True, closed_at__isnull=True)


# A name shared by more customers than this is searched as text instead.
NAME_MATCH_LIMIT = 1000


def keyword_q(text) -> Q:
    """A search box over work orders: the number, the title or the customer's name.

    A keyword that is exactly some customers' name (how an agent looks up a
    caller's orders) finds their orders through the customer-name index;
    a substring search would read every order in scope for such a rare match
    (2.8 s for headquarters on a million orders, docs/benchmarks.md)."""
    text = (text or "").strip()
    if not text:
        return Q()
    named = list(
        Customer.objects.filter(name=text).values_list("id", flat=True)[: NAME_MATCH_LIMIT + 1]
    )
    if named and len(named) <= NAME_MATCH_LIMIT:
        return Q(customer_id__in=named) | Q(number=text)
    return Q(number__icontains=text) | Q(title__icontains=text) | Q(customer__name__icontains=text)


def filter_orders(
    queryset,
    *,
    user,
    q="",
    state="",
    order_type=None,
    priority="",
    department=None,
    channel="",
    date_from=None,
    date_to=None,
    overdue=False,
    mine=False,
    now=None,
):
    """Narrow ``queryset`` by the order list's filters; empty values don't filter.
    ``state`` is a state code, so it matches every process version."""
    queryset = queryset.filter(keyword_q(q))
    if state:
        # By id, not through a join on the code: SQLite then walks the
        # (state, -created_at) index instead of sorting every matching row.
        ids = list(State.objects.filter(code=state).values_list("pk", flat=True))
        queryset = queryset.filter(state_id__in=ids)
    exact = {
        "order_type": order_type,
        "priority": priority,
        "department": department,
        "channel": channel,
    }
    queryset = queryset.filter(**{k: v for k, v in exact.items() if v not in (None, "")})
    if date_from:
        queryset = queryset.filter(created_at__gte=start_of_day(date_from))
    if date_to:
        queryset = queryset.filter(created_at__lt=start_of_day(date_to + timedelta(days=1)))
    if overdue:
        queryset = queryset.filter(overdue_q(now))
    if mine:
        queryset = queryset.filter(Q(created_by=user) | Q(assignee=user))
    return queryset


def default_unit(user, customer=None):
    """The unit a new contact and order belong to: the customer's, so that the
    departments of the customer's own project are reachable, else the agent's."""
    if customer is not None:
        return customer.unit
    return user.unit


def can_edit(user, order) -> bool:
    """Center staff correct the details of the open orders they can see."""
    return user.is_center_staff and not order.is_closed and can_see(user, order)


def start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def start_of_today(now=None):
    return start_of_day(timezone.localdate(now))


def agent_day_counts(user, now=None) -> dict:
    """The agent's own work today and the overdue orders in their scope."""
    since = start_of_today(now)
    return {
        "contacts": Contact.objects.filter(agent=user, occurred_at__gte=since).count(),
        "orders": WorkOrder.objects.filter(created_by=user, created_at__gte=since).count(),
        "overdue": visible_orders(user).filter(overdue_q(now)).count(),
    }


def departments_in_scope(user):
    """The departments whose orders ``user`` may look at: a handler's own, or
    every department the orders of the user's unit can be dispatched to."""
    if user.is_superuser:
        return Department.objects.filter(is_active=True).select_related("unit")
    if user.is_handler:
        return Department.objects.filter(pk=user.department_id).select_related("unit")
    if user.unit_id is None:
        return Department.objects.none()
    return departments_for_unit(user.unit)


def inbox_departments(user):
    """The departments whose inbox ``user`` may open: handlers their own,
    supervisors those of their scope."""
    if user.is_handler or user.is_supervising:
        return departments_in_scope(user)
    return Department.objects.none()


def _inbox_orders(user, department=None):
    departments = inbox_departments(user)
    if department is not None:
        departments = departments.filter(pk=department.pk)
    return visible_orders(user).filter(department__in=departments)


def department_queue(user, department=None):
    """Dispatched orders still waiting for their department's result, the
    earliest deadline (so the overdue ones) first."""
    return (
        _inbox_orders(user, department)
        .filter(resolved_at__isnull=True, closed_at__isnull=True)
        .order_by(F("due_at").asc(nulls_last=True), "created_at")
    )


def recently_returned(user, department=None, now=None):
    since = (now or timezone.now()) - timedelta(days=RECENTLY_RETURNED_DAYS)
    return _inbox_orders(user, department).filter(resolved_at__gte=since).order_by("-resolved_at")


def active_process(order_type):
    definition = (
        ProcessDefinition.objects.filter(code=order_type.process_code, is_active=True)
        .order_by("-version")
        .first()
    )
    if definition is None:
        raise ValidationError(
            _("No active process “%(code)s” for type “%(type)s”.")
            % {"code": order_type.process_code, "type": order_type.label}
        )
    return definition


@transaction.atomic
def register_order(
    *,
    user,
    unit,
    order_type,
    title,
    description="",
    customer=None,
    channel="phone",
    priority=None,
    category=None,
    location="",
    appointment_at=None,
    contact_name="",
    contact_phone="",
    contact=None,
    data=None,
) -> WorkOrder:
    if not user.is_center_staff:
        raise PermissionDenied(_("Only service-center staff register work orders."))
    if not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot register work orders in this unit."))
    if customer is not None and not scoping.can_see_unit(user, customer.unit):
        raise PermissionDenied(_("You cannot see this customer."))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Enter a short title.")]
    if category is not None and category.order_type_id not in (None, order_type.pk):
        errors["category"] = [_("This category belongs to another work-order type.")]
    if contact_phone:
        try:
            contact_phone = phones.normalize(contact_phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    process = active_process(order_type)
    order = WorkOrder(
        number=next_number(NUMBER_PREFIX),
        unit=unit,
        order_type=order_type,
        category=category,
        priority=priority or order_type.default_priority,
        channel=channel,
        title=title,
        description=(description or "").strip(),
        customer=customer,
        contact_name=contact_name,
        contact_phone=contact_phone,
        location=location,
        appointment_at=appointment_at,
        process=process,
        state=process.start_state,
        created_by=user,
        data=data or {},
    )
    order.full_clean(exclude=["created_by", "process", "state"])
    order.save()
    if contact is not None:
        contact.work_order = order
        contact.save(update_fields=["work_order"])
    timeline.record(
        order,
        "order.registered",
        actor=user,
        customer=customer,
        message=_("Work order %(number)s registered: %(title)s")
        % {"number": order.number, "title": title},
        after={
            "state": order.state.code,
            "order_type": order_type.label,
            "priority": order.priority,
        },
    )
    return order


@transaction.atomic
def intake(*, user, unit, channel, content, customer=None, order=None, contact_fields=None):
    """Register a contact and, when ``order`` holds work-order fields, the
    work order it leads to, in one transaction (the workbench's one screen)."""
    contact = register_contact(
        user=user,
        unit=unit,
        channel=channel,
        content=content,
        customer=customer,
        **(contact_fields or {}),
    )
    work_order = None
    if order is not None:
        order = dict(order)
        order.setdefault("description", content)
        work_order = register_order(
            user=user, unit=unit, channel=channel, customer=customer, contact=contact, **order
        )
    return contact, work_order


EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "priority",
    "location",
    "appointment_at",
    "contact_name",
    "contact_phone",
)


@transaction.atomic
def update_order(order, *, user, **changes) -> WorkOrder:
    if order.is_closed:
        raise ValidationError(_("A closed work order cannot be edited."))
    if not can_edit(user, order):
        raise PermissionDenied(_("You cannot edit this work order."))
    order = WorkOrder.objects.select_for_update().get(pk=order.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    if changes.get("contact_phone"):
        try:
            changes["contact_phone"] = phones.normalize(changes["contact_phone"])
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from None
    before, after = {}, {}
    for key, value in changes.items():
        old = getattr(order, key)
        if old != value:
            before[key], after[key] = _plain(old), _plain(value)
            setattr(order, key, value)
    if not after:
        return order
    order.full_clean(exclude=["created_by", "process", "state"])
    order.save()
    timeline.record(
        order,
        "order.updated",
        actor=user,
        customer=order.customer,
        message=_("Work order details changed"),
        before=before,
        after=after,
    )
    return order


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _require_visible(user, order):
    if not can_see(user, order):
        raise PermissionDenied(_("You cannot see this work order."))


@transaction.atomic
def add_note(order, *, user, body) -> Note:
    _require_visible(user, order)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("The note is empty.")]})
    note = Note.objects.create(work_order=order, author=user, body=body)
    timeline.record(order, "order.note", actor=user, message=body[:500])
    return note


@transaction.atomic
def add_attachment(order, *, user, upload) -> Attachment:
    _require_visible(user, order)
    if upload is None:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    if upload.size > settings.KEFU_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(mb)d MB.")
                    % {"mb": settings.KEFU_ATTACHMENT_MAX_BYTES // 2**20}
                ]
            }
        )
    name = upload.name.rsplit("/", 1)[-1][:200]
    attachment = Attachment.objects.create(
        work_order=order, file=upload, name=name, size=upload.size, uploaded_by=user
    )
    timeline.record(
        order,
        "order.attachment",
        actor=user,
        customer=order.customer,
        message=_("Attachment added: %(name)s") % {"name": name},
    )
    return attachment


@transaction.atomic
def add_charge(order, *, user, item, amount) -> Charge:
    _require_visible(user, order)
    errors = {}
    if not (item or "").strip():
        errors["item"] = [_("Name the charged item.")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    if errors:
        raise ValidationError(errors)
    charge = Charge.objects.create(
        work_order=order, item=item.strip(), amount=amount, created_by=user
    )
    timeline.record(
        order,
        "order.charge",
        actor=user,
        customer=order.customer,
        message=_("Charge recorded: %(item)s ¥%(amount)s")
        % {"item": charge.item, "amount": amount},
        after={"item": charge.item, "amount": str(amount), "status": charge.status},
    )
    return charge


def is_finance(user) -> bool:
    department = user.department
    return department is not None and department.function == Department.Function.FINANCE


def _billing_q(user) -> Q | None:
    """The charges ``user`` may bill: finance those of orders registered in
    its department's unit and below, supervisors those of their own scope."""
    if user.is_superuser:
        return Q()
    if is_finance(user):
        return Q(work_order__unit__path__startswith=user.department.unit.path)
    if user.is_supervising:
        return scoping.unit_q(user, "work_order__unit")
    return None


def bills_charges(user) -> bool:
    return _billing_q(user) is not None


def can_bill(user, charge) -> bool:
    q = _billing_q(user)
    return q is not None and Charge.objects.filter(q, pk=charge.pk).exists()


def charges_to_bill(user):
    q = _billing_q(user)
    if q is None:
        return Charge.objects.none()
    return (
        Charge.objects.filter(q, status=Charge.Status.PENDING)
        .select_related("work_order", "work_order__customer", "created_by")
        .order_by("created_at")
    )


@transaction.atomic
def bill_charge(charge, *, user) -> Charge:
    """Finance confirms the fee is entered in the accounts (入帐)."""
    charge = Charge.objects.select_for_update().select_related("work_order").get(pk=charge.pk)
    if not can_bill(user, charge):
        raise PermissionDenied(_("Only finance or a supervisor can bill a charge."))
    if charge.status != Charge.Status.PENDING:
        raise ValidationError(
            _("This charge is already %(status)s.") % {"status": charge.get_status_display()}
        )
    charge.status = Charge.Status.BILLED
    charge.billed_at = timezone.now()
    charge.billed_by = user
    charge.save()
    timeline.record(
        charge.work_order,
        "order.charge_billed",
        actor=user,
        customer=charge.work_order.customer,
        message=_("Charge billed by finance: %(item)s ¥%(amount)s")
        % {"item": charge.item, "amount": charge.amount},
        before={"status": Charge.Status.PENDING},
        after={"status": Charge.Status.BILLED},
    )
    return charge
