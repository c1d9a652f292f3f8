"""Work-order rules: registering (alone or with its contact in one step),
editing, notes, attachments, charges. Moving an order through its process is
``kefu.processes.engine.take_transition``."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.contacts.services import register_contact
from kefu.core import scoping, timeline
from kefu.core.numbering import next_number
from kefu.customers import phones
from kefu.processes.models import ProcessDefinition
from kefu.workorders.models import Attachment, Charge, Note, WorkOrder
from kefu.workorders.permissions import can_see, visibility_q

NUMBER_PREFIX = "GD"


def visible_orders(user):
    return WorkOrder.objects.filter(visibility_q(user))


def active_process(order_type):
    definition = (
        ProcessDefinition.objects.filter(code=order_type.process_code, is_active=True)
        .order_by("-version").first()
    )
    if definition is None:
        raise ValidationError(
            _("No active process “%(code)s” for type “%(type)s”.")
            % {"code": order_type.process_code, "type": order_type.label}
        )
    return definition


@transaction.atomic
def register_order(
    *, user, unit, order_type, title, description="", customer=None, channel="phone",
    priority=None, category=None, location="", appointment_at=None,
    contact_name="", contact_phone="", contact=None, data=None,
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
        unit=unit, order_type=order_type, category=category,
        priority=priority or order_type.default_priority, channel=channel,
        title=title, description=(description or "").strip(), customer=customer,
        contact_name=contact_name, contact_phone=contact_phone, location=location,
        appointment_at=appointment_at, process=process, state=process.start_state,
        created_by=user, data=data or {},
    )
    order.full_clean(exclude=["created_by", "process", "state"])
    order.save()
    if contact is not None:
        contact.work_order = order
        contact.save(update_fields=["work_order"])
    timeline.record(
        order, "order.registered", actor=user, customer=customer,
        message=_("Work order %(number)s registered: %(title)s") % {"number": order.number, "title": title},
        after={"state": order.state.code, "type": order_type.code, "priority": order.priority},
    )
    return order


@transaction.atomic
def intake(*, user, unit, channel, content, customer=None, order=None, contact_fields=None):
    """Register a contact and, when ``order`` holds work-order fields, the
    work order it leads to, in one transaction (the workbench's one screen)."""
    contact = register_contact(
        user=user, unit=unit, channel=channel, content=content, customer=customer,
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


EDITABLE_FIELDS = ("title", "description", "category", "priority", "location", "appointment_at",
                   "contact_name", "contact_phone")


@transaction.atomic
def update_order(order, *, user, **changes) -> WorkOrder:
    if not user.is_center_staff or not can_see(user, order):
        raise PermissionDenied(_("You cannot edit this work order."))
    if order.is_closed:
        raise ValidationError(_("A closed work order cannot be edited."))
    order = WorkOrder.objects.select_for_update().get(pk=order.pk)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited: %(f)s") % {"f": ", ".join(sorted(unknown))})
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
        order, "order.updated", actor=user, customer=order.customer,
        message=_("Work order details changed"), before=before, after=after,
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
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": settings.KEFU_ATTACHMENT_MAX_BYTES // 2**20}]}
        )
    name = upload.name.rsplit("/", 1)[-1][:200]
    attachment = Attachment.objects.create(
        work_order=order, file=upload, name=name, size=upload.size, uploaded_by=user
    )
    timeline.record(order, "order.attachment", actor=user, customer=order.customer,
                    message=_("Attachment added: %(name)s") % {"name": name})
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
    charge = Charge.objects.create(work_order=order, item=item.strip(), amount=amount, created_by=user)
    timeline.record(
        order, "order.charge", actor=user, customer=order.customer,
        message=_("Charge recorded: %(item)s ¥%(amount)s") % {"item": charge.item, "amount": amount},
        after={"item": charge.item, "amount": str(amount), "status": charge.status},
    )
    return charge


@transaction.atomic
def bill_charge(charge, *, user) -> Charge:
    """Finance confirms the fee is entered in the accounts (入帐)."""
    charge = Charge.objects.select_for_update().select_related("work_order").get(pk=charge.pk)
    department = user.department
    is_finance = department is not None and department.function == department.Function.FINANCE
    if not (user.is_supervising or is_finance):
        raise PermissionDenied(_("Only finance or a supervisor can bill a charge."))
    if charge.status != Charge.Status.PENDING:
        raise ValidationError(_("This charge is already %(status)s.") % {"status": charge.get_status_display()})
    charge.status = Charge.Status.BILLED
    charge.billed_at = timezone.now()
    charge.billed_by = user
    charge.save()
    timeline.record(
        charge.work_order, "order.charge_billed", actor=user, customer=charge.work_order.customer,
        message=_("Charge billed by finance: %(item)s ¥%(amount)s") % {"item": charge.item, "amount": charge.amount},
        before={"status": Charge.Status.PENDING}, after={"status": Charge.Status.BILLED},
    )
    return charge
