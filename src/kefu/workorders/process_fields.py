"""The fields a work-order process transition may ask for (see
``Transition.fields``). Adding a field here makes it usable by any process
definition without touching the engine."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Satisfaction
from kefu.core.models import Department
from kefu.processes.engine import FieldSpec


def departments_for(order):
    return departments_for_unit(order.unit)


def departments_for_unit(unit):
    """Departments an order of ``unit`` may go to: those of the unit, of its
    ancestors (group-wide departments, factories) and of its children."""
    path = unit.path
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    return (
        Department.objects.filter(is_active=True)
        .filter(Q(unit__path__in=prefixes) | Q(unit__path__startswith=path))
        .select_related("unit")
    )


def _text(label, rows=3):
    return lambda order, user: forms.CharField(
        label=label, max_length=4000, widget=forms.Textarea(attrs={"rows": rows})
    )


def _set(attr):
    def apply(order, value):
        setattr(order, attr, value)

    return apply


def _get(attr):
    return lambda order: getattr(order, attr) or ""


PROCESS_FIELDS = {
    "department": FieldSpec(
        label=_("Responsible department"),
        form_field=lambda order, user: forms.ModelChoiceField(queryset=departments_for(order)),
        apply=_set("department"),
        snapshot=lambda order: order.department.name if order.department_id else "",
    ),
    "appointment_at": FieldSpec(
        label=_("Appointment"),
        form_field=lambda order, user: forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            input_formats=[
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
            ],
        ),
        apply=_set("appointment_at"),
        snapshot=lambda order: order.appointment_at.isoformat() if order.appointment_at else "",
    ),
    "result": FieldSpec(
        _("Handling result"), _text(_("Handling result")), _set("result"), _get("result")
    ),
    "reply_note": FieldSpec(
        _("Reply to the customer"),
        _text(_("Reply to the customer")),
        _set("reply_note"),
        _get("reply_note"),
    ),
    "satisfaction": FieldSpec(
        label=_("Satisfaction"),
        form_field=lambda order, user: forms.ChoiceField(
            choices=[("", "---------"), *Satisfaction.choices]
        ),
        apply=_set("satisfaction"),
        snapshot=_get("satisfaction"),
    ),
    "callback_note": FieldSpec(
        _("Callback record"),
        _text(_("Callback record")),
        _set("callback_note"),
        _get("callback_note"),
    ),
    "note": FieldSpec(_("Note"), _text(_("Note"), rows=2)),
    "reason": FieldSpec(_("Reason"), _text(_("Reason"), rows=2)),
}
