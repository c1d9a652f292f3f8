"""Remaining time of SLA clocks, colour-coded: green on time, orange once
the early warning has been reached, red when breached."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def humanize_duration(delta):
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    return _("%(m)dm") % {"m": minutes}


@register.filter
def sla_target(minutes):
    """A target in its largest whole unit: 3 days, 8 hours, 90 minutes."""
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.simple_tag
def sla_remaining(clock, now=None):
    now = now or timezone.now()
    if clock.stopped_at is not None:
        if clock.breached_at:
            return format_html('<span class="badge bg-red-lt">{}</span>', _("Breached"))
        return format_html('<span class="badge bg-green-lt">{}</span>', _("Met"))
    if clock.due_at is None:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', _("Paused"))
    left = clock.due_at - now
    if left.total_seconds() <= 0:
        text = _("%(time)s overdue") % {"time": humanize_duration(left)}
        return format_html(
            '<span class="badge bg-red text-white"><i class="ti ti-alarm me-1"></i>{}</span>', text
        )
    colour = "orange" if (clock.warn_at and clock.warn_at <= now) or clock.warned_at else "green"
    text = _("%(time)s left") % {"time": humanize_duration(left)}
    return format_html(
        '<span class="badge bg-{}-lt"><i class="ti ti-clock me-1"></i>{}</span>', colour, text
    )


def _clocks(order):
    clocks = getattr(order, "sla_clock_list", None)
    return (
        clocks
        if clocks is not None
        else list(
            order.sla_clocks.select_related("policy", "state").order_by("metric", "started_at")
        )
    )


@register.simple_tag
def sla_cell(order, now=None):
    """The most urgent open promise of an order, for lists."""
    open_clocks = [c for c in _clocks(order) if c.stopped_at is None and c.due_at is not None]
    if open_clocks:
        return sla_remaining(min(open_clocks, key=lambda c: c.due_at), now)
    paused = [c for c in _clocks(order) if c.stopped_at is None]
    if paused:
        return sla_remaining(paused[0], now)
    if any(c.breached_at for c in _clocks(order)):
        return format_html('<span class="badge bg-red-lt">{}</span>', _("Breached"))
    return "—"


@register.inclusion_tag("sla/includes/panel.html")
def sla_panel(order):
    return {"clocks": _clocks(order), "now": timezone.now()}
