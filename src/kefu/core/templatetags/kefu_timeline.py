"""Timelines rendered readably: an icon and colour per kind of event, a link
to the record it happened to, and the before/after of changes with field
labels and choice names in the reader's language.

Use ``{% load kefu_timeline %}{% timeline events %}`` with events from
``kefu.core.timeline`` (prefetch ``subject`` to link records without a query
per event)."""

from datetime import datetime

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kefu.core.choices import Channel
from kefu.processes.custom_fields import display_value, localized
from kefu.processes.models import ProcessDefinition, State, Transition

register = template.Library()

# verb -> (Tabler icon, Tabler colour)
VERB_STYLES = {
    "customer.created": ("user-plus", "green"),
    "customer.updated": ("user-edit", "blue"),
    "contact.registered": ("phone-incoming", "cyan"),
    "order.registered": ("file-plus", "azure"),
    "order.updated": ("pencil", "blue"),
    "order.note": ("note", "yellow"),
    "order.attachment": ("paperclip", "secondary"),
    "order.charge": ("currency-yen", "orange"),
    "order.charge_billed": ("receipt", "green"),
    "sla.warning": ("alarm", "orange"),
    "sla.breached": ("alarm-off", "red"),
    "sla.escalated": ("arrow-big-up-lines", "red"),
    "sla.rectification": ("alert-octagon", "red"),
    "sla.rectification_reply": ("message-check", "green"),
    "complaint.registered": ("message-report", "red"),
    "complaint.justified": ("scale", "orange"),
    "complaint.unjustified": ("scale", "green"),
    "complaint.plan_proposed": ("bulb", "azure"),
    "complaint.plan_approved": ("circle-check", "green"),
    "complaint.manager_approved": ("shield-check", "green"),
    "complaint.plan_rejected": ("circle-x", "red"),
    "complaint.compensation": ("currency-yen", "orange"),
    "complaint.result": ("clipboard-check", "teal"),
    "complaint.informed": ("message-reply", "cyan"),
    "complaint.callback_dissatisfied": ("refresh", "red"),
    "complaint.closed": ("archive", "secondary"),
    "complaint.root_cause": ("search", "purple"),
    "complaint.action_added": ("list-check", "azure"),
    "complaint.action_done": ("checks", "teal"),
    "complaint.action_verified": ("rosette-discount-check", "green"),
    "callback.created": ("phone-plus", "azure"),
    "callback.done": ("phone-check", "green"),
    "callback.attempt": ("phone-x", "orange"),
    "callback.faked": ("alert-triangle", "red"),
    "callback.spot_check": ("zoom-check", "purple"),
    "callback.work_order": ("file-plus", "azure"),
    "call.offered": ("phone-incoming", "cyan"),
    "call.answered": ("phone-call", "green"),
    "call.ended": ("phone-off", "secondary"),
    "call.queued": ("list-numbers", "azure"),
    "call.ringing": ("bell-ringing", "yellow"),
    "call.routed": ("route", "indigo"),
    "call.ring_no_answer": ("phone-x", "red"),
    "call.overflowed": ("arrows-split", "yellow"),
    "call.push_failed": ("plug-connected-x", "red"),
    "call.held": ("player-pause", "orange"),
    "call.unheld": ("player-play", "green"),
    "call.transferred": ("transfer", "indigo"),
    "call.recording": ("microphone", "purple"),
    "call.closed": ("clock-off", "secondary"),
    "sms.queued": ("message", "cyan"),
    "sms.failed": ("message-off", "red"),
    "satisfaction.requested": ("mood-smile", "azure"),
    "satisfaction.rated": ("mood-happy", "green"),
}
TRANSITION_STYLES = {
    "dispatch": ("send", "indigo"),
    "redispatch": ("send", "indigo"),
    "accept": ("hand-grab", "purple"),
    "complete": ("circle-check", "teal"),
    "send_back": ("arrow-back-up", "orange"),
    "inform": ("message-reply", "cyan"),
    "callback": ("phone-outgoing", "green"),
    "reopen": ("refresh", "red"),
    "archive": ("archive", "secondary"),
    "answer": ("message-check", "green"),
    "cancel": ("x", "red"),
}
CHANNEL_ICONS = {
    "phone": "phone-incoming",
    "walk_in": "door-enter",
    "letter": "mail-opened",
    "fax": "printer",
    "email": "mail",
    "web": "world",
    "chat": "message-circle",
    "sms": "message",
    "wechat": "brand-wechat",
    "qq": "brand-qq",
}
# Records the timeline links to: "app_label.model" -> (URL name, attribute shown).
SUBJECT_LINKS = {"workorders.workorder": ("workorders:detail", "number")}
# Events whose before/after describe rows belonging to the subject, not the
# subject itself: verb -> the models of those rows, searched in order.
ROW_MODELS = {
    "order.charge": ("workorders.Charge",),
    "order.charge_billed": ("workorders.Charge",),
    "sla.warning": ("sla.SlaClock",),
    "sla.breached": ("sla.SlaClock",),
    "sla.escalated": ("sla.EscalationLevel", "sla.SlaClock"),
}


def _named(event, with_name, without):
    """A title around the name (an agent, a queue) the service recorded."""
    return with_name % {"name": event.message} if event.message else without


def _choice_after(event, name):
    """The label of the choice the event's subject took for ``name`` (the
    recorded message holds it in the language of the moment)."""
    field = _field(event.content_type.model_class(), name)
    label = dict(field.flatchoices).get(event.after.get(name)) if field else None
    return str(label) if label else event.message


# Events whose message says nothing that could have changed since: shown in
# the reader's language (the same words the services record, or the name of
# the agent or queue they recorded).
FIXED_TITLES = {
    "customer.created": lambda event: _("Customer file created"),
    "customer.updated": lambda event: _("Customer file changed"),
    "order.updated": lambda event: _("Work order details changed"),
    "contact.registered": lambda event: (
        _("%(channel)s contact registered") % {"channel": Channel(event.after["channel"]).label}
        if event.after.get("channel") in Channel.values
        else event.message
    ),
    # Events recorded before the number or the agent was kept with them
    # show the message they were recorded with.
    "call.offered": lambda event: (
        _("Call from %(caller)s") % {"caller": event.after["caller"]}
        if "caller" in event.after
        else event.message
    ),
    "call.answered": lambda event: (
        _named(event, _("Answered by %(name)s"), pgettext("call state", "Answered"))
        if "agent" in event.after
        else event.message
    ),
    "call.queued": lambda event: _named(event, _("Waiting in queue %(name)s"), _("Waiting")),
    "call.ringing": lambda event: _named(event, _("Ringing at %(name)s"), _("Ringing")),
    "call.routed": lambda event: _named(event, _("Routed to %(name)s"), _("Routed")),
    "call.ring_no_answer": lambda event: _("Not picked up at the agent's phone"),
    "call.overflowed": lambda event: _named(event, _("Overflowed to %(name)s"), _("Overflowed")),
    "call.push_failed": lambda event: _named(
        event,
        _("The PBX did not take the routing decision (%(name)s)"),
        _("The PBX did not take the routing decision"),
    ),
    "call.held": lambda event: _("Put on hold"),
    "call.unheld": lambda event: _("Taken off hold"),
    "call.recording": lambda event: _("Recording available"),
    "call.ended": lambda event: _choice_after(event, "disposition"),
}


# Keys written under another name than the model field's.
KEY_FIELDS = {"type": "order_type"}


def _style(event):
    if event.verb.startswith("transition."):
        return TRANSITION_STYLES.get(event.verb.split(".", 1)[1], ("arrow-right", "primary"))
    icon, colour = VERB_STYLES.get(event.verb, ("point", "secondary"))
    if event.verb == "contact.registered":
        icon = CHANNEL_ICONS.get(event.after.get("channel"), icon)
    return icon, colour


def _field(model, name):
    """The field ``name`` of ``model``, or of the first of several models that has it."""
    for each in model if isinstance(model, tuple) else (model,):
        if each is None:
            continue
        try:
            return each._meta.get_field(KEY_FIELDS.get(name, name))
        except FieldDoesNotExist:
            continue
    return None


def _label(model, name, custom=None):
    field = _field(model, name)
    if field is None:
        # Values a process step asked for are labelled by the subject's
        # template (``custom``, its declaration) or its field registry.
        if custom is not None:
            return localized(custom)
        spec = getattr(model, "PROCESS_FIELDS", {}).get(name)
        return spec.label if spec is not None else name
    if field.is_relation and field.auto_created:
        return field.related_model._meta.verbose_name_plural
    return field.verbose_name


class _Values:
    """Turns stored values into text in the reader's language; process
    states and actions are few, so they are read once per timeline."""

    def __init__(self):
        self._labels = None
        self._coded = {}
        self._custom = None

    def custom_field(self, subject, name):
        """The declaration of ``name`` among the subject's template fields;
        the templates that have any are read once, not once per event."""
        process_id = getattr(subject, "process_id", None)
        if process_id is None:
            return None
        if self._custom is None:
            self._custom = {
                d.pk: {f["name"]: f for f in d.custom_fields}
                for d in ProcessDefinition.objects.exclude(custom_fields=[]).only("custom_fields")
            }
        return self._custom.get(process_id, {}).get(name)

    def coded(self, model, code):
        """The row of ``model`` (a type, say) stored by its code."""
        key = (model, code)
        if key not in self._coded:
            self._coded[key] = model._default_manager.filter(code=code).first()
        return self._coded[key]

    def row(self, model, pk):
        """The row of ``model`` stored by its id (the agent a call went to)."""
        key = (model, "pk", pk)
        if key not in self._coded:
            self._coded[key] = model._default_manager.filter(pk=pk).first()
        return self._coded[key]

    def process_label(self, subject, kind, code):
        if self._labels is None:
            self._labels = {
                **{("state", s.definition_id, s.code): s.label for s in State.objects.all()},
                **{("action", t.definition_id, t.code): t.label for t in Transition.objects.all()},
            }
        return self._labels.get((kind, getattr(subject, "process_id", None), code), code)

    def title(self, event, subject):
        """Transitions and the events of ``FIXED_TITLES`` read in the reader's
        language; other events keep the message written when they happened
        (it holds what was true then)."""
        if event.verb in FIXED_TITLES:
            return FIXED_TITLES[event.verb](event)
        if event.verb.startswith("transition.") and subject is not None:
            source, target = event.before.get("state"), event.after.get("state")
            if source and target:
                action = self.process_label(subject, "action", event.verb.split(".", 1)[1])
                source = self.process_label(subject, "state", source)
                target = self.process_label(subject, "state", target)
                return f"{action}: {source} → {target}"
        return event.message

    def text(self, model, name, value, subject):
        if value in (None, "", [], {}):
            return ""
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        custom = self.custom_field(subject, name) if _field(model, name) is None else None
        if custom is not None:
            return display_value(custom, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        field = _field(model, name)
        if name == "state" and isinstance(value, str):
            return self.process_label(subject, "state", value)
        if field is not None and getattr(field, "flatchoices", None):
            return str(dict(field.flatchoices).get(value, value))
        if field is not None and field.many_to_one and isinstance(value, str):
            related = field.related_model
            if any(f.name == "code" for f in related._meta.get_fields()):
                return str(self.coded(related, value) or value)
        if field is not None and field.many_to_one and isinstance(value, int):
            return str(self.row(field.related_model, value) or value)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        return str(value)


def describe(event, values, link_subjects=True):
    """What the template needs to show one event."""
    subject = getattr(event, "subject", None)
    row_models = ROW_MODELS.get(event.verb)
    if row_models:
        model = tuple(apps.get_model(name) for name in row_models)
    else:
        model = event.content_type.model_class()
    icon, colour = _style(event)
    changes = []
    before, after = event.before or {}, event.after or {}
    for name in [*before, *(k for k in after if k not in before)]:
        if name == "state" and event.verb.startswith("transition."):
            continue  # the message already reads "action: from → to"
        old = values.text(model, name, before.get(name), subject)
        new = values.text(model, name, after.get(name), subject)
        if old != new:
            custom = values.custom_field(subject, name)
            changes.append({"label": _label(model, name, custom), "before": old, "after": new})
    link = SUBJECT_LINKS.get(f"{event.content_type.app_label}.{event.content_type.model}")
    subject_url = subject_text = None
    if link_subjects and link is not None and subject is not None:
        subject_url = reverse(link[0], args=[subject.pk])
        subject_text = getattr(subject, link[1])
    return {
        "event": event,
        "title": values.title(event, subject),
        "icon": icon,
        "colour": colour,
        "changes": changes,
        "subject_url": subject_url,
        "subject_text": subject_text,
    }


@register.inclusion_tag("includes/timeline.html")
def timeline(events, link_subjects=True):
    """``link_subjects=False`` on the page of the record itself."""
    values = _Values()
    return {"entries": [describe(event, values, link_subjects) for event in events]}
