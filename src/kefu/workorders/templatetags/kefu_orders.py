"""Badges and labels shared by the work-order pages."""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kefu.core.models import Department
from kefu.core.roles import Role

register = template.Library()

PRIORITY_COLOURS = {"urgent": "red", "high": "orange", "normal": "secondary", "low": "green"}


@register.simple_tag
def state_badge(state):
    """A state in its process colour (``State.color`` is a Tabler colour name)."""
    return format_html('<span class="badge bg-{}-lt">{}</span>', state.color, state.label)


@register.simple_tag
def priority_badge(order):
    colour = PRIORITY_COLOURS.get(order.priority, "secondary")
    return format_html(
        '<span class="badge bg-{}-lt">{}</span>', colour, order.get_priority_display()
    )


@register.simple_tag
def due(order):
    """The deadline, in red with a clock icon once it has passed unresolved."""
    if order.due_at is None:
        return mark_safe('<span class="text-secondary">—</span>')
    text = formats.date_format(timezone.localtime(order.due_at), "Y-m-d H:i")
    if order.is_overdue:
        return format_html(
            '<span class="text-danger fw-medium" title="{}"><i class="ti ti-alarm"></i> {}</span>',
            _("Overdue"),
            text,
        )
    if order.resolved_at or order.closed_at:
        return format_html('<span class="text-secondary">{}</span>', text)
    return format_html("<span>{}</span>", text)


@register.filter
def role_labels(codes):
    """Role codes of a process transition as the reader's words."""
    labels = dict(Role.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


@register.filter
def department_function_labels(codes):
    labels = dict(Department.Function.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)
