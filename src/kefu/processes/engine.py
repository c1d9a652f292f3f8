"""The process engine: which actions a user may take on a record now, the
form each asks for, and taking one (validated, atomic, on the timeline).

A *subject* is any model with ``process`` and ``state`` foreign keys that
provides, as class attributes or methods:

- ``PROCESS_FIELDS``: ``{name: FieldSpec}``, the fields transitions may ask for;
- ``PROCESS_EFFECTS``: ``{name: callable(subject, user, values, transition)}``;
- ``user_may_act(user, transition) -> bool``: rules beyond the role (scope,
  ownership);
- ``condition_value(name)``: the subject's value for a condition name;
- ``timeline_customer()``: the customer whose timeline also shows the event.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core import timeline
from kefu.processes.models import Transition
from kefu.processes.signals import transition_taken


@dataclass(frozen=True)
class FieldSpec:
    label: Any
    # (subject, user) -> a django.forms.Field
    form_field: Callable
    # (subject, value) -> None: write the cleaned value to the subject;
    # None means the value is only recorded on the timeline.
    apply: Callable | None = None
    # (subject) -> JSON-able value for the timeline's before/after
    snapshot: Callable | None = None


class TransitionError(Exception):
    """An action that cannot be taken; ``field_errors`` maps fields to messages."""

    def __init__(self, message, *, field_errors=None, code="invalid"):
        super().__init__(message)
        self.message = str(message)
        self.field_errors = field_errors or {}
        self.code = code


def field_specs(subject):
    """The subject's built-in fields and its template's own (custom) fields."""
    from kefu.processes.custom_fields import field_spec

    specs = dict(type(subject).PROCESS_FIELDS)
    for field in subject.process.custom_fields:
        specs[field["name"]] = field_spec(field)
    return specs


def _role_allowed(user, transition):
    if user.is_superuser:
        return True
    if user.role not in transition.allowed_roles:
        return False
    # A department restriction binds department staff; center staff without
    # a department are governed by their role alone.
    if transition.allowed_departments and user.department_id is not None:
        return user.department.function in transition.allowed_departments
    return True


def _check(value, rule):
    if "eq" in rule and value != rule["eq"]:
        return False
    if "in" in rule and value not in rule["in"]:
        return False
    if "not_in" in rule and value in rule["not_in"]:
        return False
    return not ("set" in rule and bool(value) != bool(rule["set"]))


def _subject_conditions_hold(subject, transition):
    """Conditions on the subject itself; those on submitted fields wait for input."""
    names = set(transition.field_names)
    return all(
        _check(subject.condition_value(name), rule)
        for name, rule in transition.conditions.items()
        if name not in names
    )


def available_transitions(subject, user):
    """The transitions ``user`` may take on ``subject`` in its current state."""
    candidates = Transition.objects.filter(
        definition_id=subject.process_id, sources=subject.state_id
    ).select_related("target")
    return [
        t
        for t in candidates
        if _role_allowed(user, t)
        and subject.user_may_act(user, t)
        and _subject_conditions_hold(subject, t)
    ]


def transition_form(subject, transition, user, data=None, files=None):
    """A Django form with the fields ``transition`` asks for."""
    specs = field_specs(subject)
    form_fields = {}
    for entry in transition.fields:
        spec = specs[entry["name"]]
        field = spec.form_field(subject, user)
        field.required = bool(entry.get("required"))
        field.label = spec.label
        if entry.get("choices") and hasattr(field, "choices"):
            field.choices = [c for c in field.choices if c[0] in entry["choices"] or c[0] == ""]
        form_fields[entry["name"]] = field
    form_class = type("TransitionForm", (forms.Form,), form_fields)
    return form_class(data=data, files=files, prefix=None)


def _snapshot(subject, names):
    specs = field_specs(subject)
    shot = {"state": subject.state.code}
    for name in names:
        spec = specs[name]
        if spec.snapshot is not None:
            shot[name] = spec.snapshot(subject)
    return shot


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def take_transition(subject, code, user, data=None, files=None):
    """Take the transition ``code`` on ``subject`` as ``user`` with form ``data``.

    Returns the updated subject; raises TransitionError when the action is not
    possible now, not allowed for the user, or the data is invalid. Everything
    (fields, state, effects, timeline) is written in one transaction."""
    model = type(subject)
    with transaction.atomic():
        locked = (
            model.objects.select_for_update().select_related("state", "process").get(pk=subject.pk)
        )
        transition = (
            Transition.objects.filter(definition_id=locked.process_id, code=code)
            .select_related("target")
            .first()
        )
        if transition is None:
            raise TransitionError(
                _("There is no action “%(code)s” in this process.") % {"code": code},
                code="unknown",
            )
        if not transition.sources.filter(pk=locked.state_id).exists():
            raise TransitionError(
                _("“%(action)s” is not possible while the record is “%(state)s”.")
                % {"action": transition.label, "state": locked.state.label},
                code="state",
            )
        if not _role_allowed(user, transition) or not locked.user_may_act(user, transition):
            raise TransitionError(
                _("You are not allowed to take the action “%(action)s”.")
                % {"action": transition.label},
                code="forbidden",
            )
        form = transition_form(locked, transition, user, data=data or {}, files=files)
        if not form.is_valid():
            raise TransitionError(
                _("Please correct the fields below."),
                field_errors={k: list(v) for k, v in form.errors.items()},
            )
        values = form.cleaned_data
        for name, rule in transition.conditions.items():
            value = values.get(name) if name in values else locked.condition_value(name)
            if not _check(value, rule):
                message = rule.get("message") or _("The conditions of this action are not met.")
                raise TransitionError(
                    message, field_errors={name: [message]} if name in values else {}
                )
        names = transition.field_names
        before = _snapshot(locked, names)
        specs = field_specs(locked)
        for name in names:
            spec = specs[name]
            if spec.apply is not None and name in values and values[name] not in (None, ""):
                spec.apply(locked, values[name])
        previous_state = locked.state
        locked.state = transition.target
        for effect in transition.effects:
            model.PROCESS_EFFECTS[effect](locked, user, values, transition)
        locked.save()
        transition_taken.send(
            sender=model,
            subject=locked,
            transition=transition,
            previous_state=previous_state,
            user=user,
        )
        after = _snapshot(locked, names)
        for name in names:
            if specs[name].apply is None and values.get(name) not in (None, ""):
                after[name] = _jsonable(values[name])
        timeline.record(
            locked,
            f"transition.{transition.code}",
            actor=user,
            customer=locked.timeline_customer(),
            message=f"{transition.label}: {previous_state.label} → {transition.target.label}",
            before=before,
            after=after,
        )
    return locked
