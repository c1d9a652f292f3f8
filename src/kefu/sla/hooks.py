"""Keeping SLA clocks in step with work orders, through signals, so the
work-order and process apps need not know that SLAs exist."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from kefu.processes.signals import transition_taken
from kefu.workorders.models import Note, WorkOrder


def order_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from kefu.sla.services import start_clocks

        start_clocks(instance)


def note_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from kefu.sla.services import on_update

        on_update(instance.work_order)


def transition_done(sender, subject, previous_state, **kwargs):
    from kefu.sla.services import on_transition

    on_transition(subject, previous_state)


def connect():
    from kefu.sla.models import EscalationLevel, SlaPolicy
    from kefu.sla.services import forget_policies

    for model in (SlaPolicy, EscalationLevel):
        post_save.connect(
            forget_policies, sender=model, dispatch_uid=f"sla.forget.{model.__name__}"
        )
        post_delete.connect(
            forget_policies, sender=model, dispatch_uid=f"sla.forget.d.{model.__name__}"
        )
    for field in ("order_types", "categories", "units"):
        m2m_changed.connect(
            forget_policies,
            sender=getattr(SlaPolicy, field).through,
            dispatch_uid=f"sla.forget.{field}",
        )
    post_save.connect(order_saved, sender=WorkOrder, dispatch_uid="sla.order_saved")
    post_save.connect(note_saved, sender=Note, dispatch_uid="sla.note_saved")
    transition_taken.connect(transition_done, sender=WorkOrder, dispatch_uid="sla.transition_done")
