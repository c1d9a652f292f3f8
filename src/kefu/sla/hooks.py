"""Keeping SLA clocks in step with work orders, through signals, so the
work-order and process apps need not know that SLAs exist."""

from django.db.models.signals import post_save

from kefu.processes.signals import transition_taken
from kefu.workorders.models import WorkOrder


def order_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from kefu.sla.services import start_clocks

        start_clocks(instance)


def transition_done(sender, subject, previous_state, **kwargs):
    from kefu.sla.services import on_transition

    on_transition(subject, previous_state)


def connect():
    post_save.connect(order_saved, sender=WorkOrder, dispatch_uid="sla.order_saved")
    transition_taken.connect(transition_done, sender=WorkOrder, dispatch_uid="sla.transition_done")
