"""What the phone desk does beyond the telephony module's own services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.contacts.services import register_contact
from kefu.core import timeline
from kefu.core.choices import Channel
from kefu.telephony.models import Call
from kefu.telephony.services import visible_calls
from kefu.workorders.services import visible_orders


def call_for(user, pk) -> Call:
    """A call the user may open on the desk: their own, or any of their
    scope for a supervisor."""
    calls = visible_calls(user).select_related("customer", "queue", "agent", "contact")
    if not user.is_supervising:
        calls = calls.filter(agent=user)
    call = calls.filter(pk=pk).first()
    if call is None:
        raise PermissionDenied(_("This call is not yours."))
    return call


def open_orders(user, customer, limit=10):
    if customer is None:
        return []
    orders = visible_orders(user).filter(customer=customer, closed_at__isnull=True)
    return list(orders.order_by("-created_at")[:limit])


@transaction.atomic
def register_call_contact(*, user, call, content):
    """The contact record of a call, in one click: channel phone, the
    caller, the customer and the call's time; the call links to it."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.contact_id is not None:
        raise ValidationError({"content": [_("This call already has its contact record.")]})
    contact = register_contact(
        user=user,
        unit=call.customer.unit if call.customer else call.unit,
        channel=Channel.PHONE,
        content=content,
        customer=call.customer,
        caller=call.caller,
        occurred_at=call.offered_at,
    )
    call.contact = contact
    call.save(update_fields=["contact"])
    timeline.record(
        call,
        "call.contact",
        actor=user,
        customer=call.customer,
        message=content[:200],
        before={"contact": None},
        after={"contact": contact.pk},
    )
    return contact


@transaction.atomic
def link_order(*, user, call, order_pk):
    """The call was about this (open or closed) work order of its customer."""
    order = visible_orders(user).filter(pk=order_pk).first()
    if order is None or call.customer_id is None or order.customer_id != call.customer_id:
        raise ValidationError({"work_order": [_("Choose one of this customer's work orders.")]})
    call = Call.objects.select_for_update().get(pk=call.pk)
    before = {"work_order": call.work_order_id}
    call.work_order = order
    call.save(update_fields=["work_order"])
    timeline.record(
        call,
        "call.work_order",
        actor=user,
        customer=call.customer,
        message=order.number,
        before=before,
        after={"work_order": order.pk},
    )
    return call
