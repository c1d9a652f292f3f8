"""Callback tasks from other modules' events: resolved repairs and archived
orders (process engine), complaints awaiting their callback, missed calls."""

from django.db import transaction
from django.dispatch import receiver

from kefu.callbacks import services
from kefu.callbacks.models import Trigger
from kefu.complaints.signals import complaint_awaiting_callback
from kefu.processes.signals import transition_taken
from kefu.telephony.signals import call_ended

MISSED = frozenset({"abandoned", "voicemail"})


def order_trigger(order, transition):
    if transition.target.code == "archived" and order.order_type.code != "complaint":
        return Trigger.ORDER_ARCHIVED
    if transition.target.code == "resolved" and order.order_type.code == "repair":
        return Trigger.REPAIR_COMPLETED
    return None


@receiver(transition_taken)
def on_transition(sender, subject, transition, user, **kwargs):
    from kefu.workorders.models import WorkOrder

    if not isinstance(subject, WorkOrder) or subject.customer_id is None:
        return
    trigger = order_trigger(subject, transition)
    if trigger is None:
        return
    order = subject
    transaction.on_commit(
        lambda: services.create_for_event(
            trigger=trigger, customer=order.customer, subject=order, unit=order.unit
        )
    )


@receiver(complaint_awaiting_callback)
def on_complaint(sender, complaint, due_at, user=None, **kwargs):
    services.create_mandatory(
        trigger=Trigger.COMPLAINT_RESOLVED,
        customer=complaint.customer,
        subject=complaint,
        unit=complaint.unit,
        due_at=due_at,
    )


@receiver(call_ended)
def on_call_ended(sender, call, **kwargs):
    if call.disposition not in MISSED or call.customer_id is None:
        return
    services.create_for_event(
        trigger=Trigger.CALL_MISSED,
        customer=call.customer,
        subject=call,
        unit=call.unit,
        at=call.ended_at,
    )
