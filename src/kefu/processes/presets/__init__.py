"""Process definitions shipped with Kefu, as JSON files beside this module,
and the loader that validates a definition and writes it as rows. The same
JSON form is what a center exports and imports."""

import json
from collections import deque
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

PRESET_DIR = Path(__file__).resolve().parent


def validate_spec(spec: dict, *, subject_fields=None) -> None:
    """Refuse a definition that could strand a record: unknown states or
    roles, no single start, no end, unreachable states, states from which no
    way leads to an end; and badly declared custom fields or printed forms.
    ``subject_fields``, when given, are the names of the subject's built-in
    fields: a transition or form naming anything else is refused too."""
    from kefu.core.models import Department
    from kefu.core.roles import Role
    from kefu.processes.custom_fields import validate_field_declarations
    from kefu.processes.models import State

    errors = []
    for key in ("code", "name", "states", "transitions"):
        if not spec.get(key):
            errors.append(_("The definition needs “%(key)s”.") % {"key": key})
    if errors:
        raise ValidationError(errors)
    for item in [*spec["states"], *spec["transitions"]]:
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise ValidationError(_("Every state and transition needs a code and a name."))
    codes = [s["code"] for s in spec["states"]]
    if len(codes) != len(set(codes)):
        errors.append(_("State codes must be unique."))
    custom = spec.get("custom_fields", [])
    errors += validate_field_declarations(custom, set(subject_fields or ()))
    known_fields = None
    if subject_fields is not None and isinstance(custom, list):
        known_fields = set(subject_fields) | {f.get("name") for f in custom if isinstance(f, dict)}
    errors += _form_errors(spec.get("forms", []), set(codes), known_fields)
    for s in spec["states"]:
        if s.get("kind", State.Kind.ACTIVE) not in State.Kind.values:
            errors.append(
                _("State “%(s)s” has an unknown kind “%(k)s”.") % {"s": s["code"], "k": s["kind"]}
            )
        deadline = s.get("deadline_minutes")
        if deadline is not None and (
            isinstance(deadline, bool) or not isinstance(deadline, int) or deadline <= 0
        ):
            errors.append(
                _("The deadline of state “%(s)s” must be a whole number of minutes above zero.")
                % {"s": s["code"]}
            )
    starts = [s["code"] for s in spec["states"] if s.get("kind") == "start"]
    ends = {s["code"] for s in spec["states"] if s.get("kind") == "end"}
    if len(starts) != 1:
        errors.append(_("A process needs exactly one start state."))
    if not ends:
        errors.append(_("A process needs at least one end state."))
    edges = {c: set() for c in codes}
    t_codes = [t["code"] for t in spec["transitions"]]
    if len(t_codes) != len(set(t_codes)):
        errors.append(_("Transition codes must be unique."))
    for t in spec["transitions"]:
        for ref in [*t.get("from", []), t.get("to")]:
            if ref not in edges:
                errors.append(
                    _("Transition “%(t)s” refers to an unknown state “%(s)s”.")
                    % {"t": t["code"], "s": ref}
                )
        if not t.get("from"):
            errors.append(_("Transition “%(t)s” has no source state.") % {"t": t["code"]})
        if not t.get("roles"):
            errors.append(_("Transition “%(t)s” allows no role.") % {"t": t["code"]})
        for role in t.get("roles") or []:
            if role not in Role.values:
                errors.append(
                    _("Transition “%(t)s” names an unknown role “%(r)s”.")
                    % {"t": t["code"], "r": role}
                )
        for function in t.get("departments") or []:
            if function not in Department.Function.values:
                errors.append(
                    _("Transition “%(t)s” names an unknown department function “%(d)s”.")
                    % {"t": t["code"], "d": function}
                )
        for entry in t.get("fields") or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if name is None or (known_fields is not None and name not in known_fields):
                errors.append(
                    _("Transition “%(t)s” asks for an unknown field “%(f)s”.")
                    % {"t": t["code"], "f": name}
                )
    if errors:
        raise ValidationError(errors)
    backwards = {c: set() for c in codes}
    for t in spec["transitions"]:
        for src in t["from"]:
            edges[src].add(t["to"])
            backwards[t["to"]].add(src)
    reachable = _closure({starts[0]}, edges)
    # A state can finish when some way leads from it to an end state; a
    # record in any other state (a dead end, or a loop with no exit) is stuck.
    can_finish = _closure(ends, backwards)
    for code in codes:
        if code not in reachable:
            errors.append(_("State “%(s)s” cannot be reached from the start.") % {"s": code})
        elif code not in ends and not edges[code]:
            errors.append(_("State “%(s)s” is not an end state but has no way out.") % {"s": code})
        elif code not in can_finish:
            errors.append(_("No way leads from state “%(s)s” to an end state.") % {"s": code})
    if errors:
        raise ValidationError(errors)


def _form_errors(printed_forms, state_codes, known_fields):
    errors = []
    if not isinstance(printed_forms, list):
        return [_("“forms” must be a list of printed forms.")]
    seen = set()
    for form in printed_forms:
        if not isinstance(form, dict) or not form.get("code") or not form.get("title"):
            errors.append(_("Every printed form needs a code and a title."))
            continue
        if form["code"] in seen:
            errors.append(_("The printed form “%(f)s” is declared twice.") % {"f": form["code"]})
        seen.add(form["code"])
        for state in form.get("states", []):
            if state not in state_codes:
                errors.append(
                    _("The printed form “%(f)s” refers to an unknown state “%(s)s”.")
                    % {"f": form["code"], "s": state}
                )
        for name in form.get("fields", []):
            if known_fields is not None and name not in known_fields:
                errors.append(
                    _("The printed form “%(f)s” shows an unknown field “%(n)s”.")
                    % {"f": form["code"], "n": name}
                )
    return errors


def _closure(start, edges):
    """The states reachable from ``start`` along ``edges``, ``start`` included."""
    seen, queue = set(start), deque(start)
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


@transaction.atomic
def load_definition(spec: dict, *, activate=True, subject_fields=None):
    """Write ``spec`` as a new version of its process; returns the definition."""
    from kefu.processes.models import ProcessDefinition, State, Transition

    validate_spec(spec, subject_fields=subject_fields)
    latest = ProcessDefinition.objects.filter(code=spec["code"]).order_by("-version").first()
    version = (latest.version + 1) if latest else spec.get("version", 1)
    if activate:
        ProcessDefinition.objects.filter(code=spec["code"]).update(is_active=False)
    definition = ProcessDefinition.objects.create(
        code=spec["code"],
        version=version,
        name=spec["name"],
        name_en=spec.get("name_en", ""),
        description=spec.get("description", ""),
        custom_fields=spec.get("custom_fields", []),
        forms=spec.get("forms", []),
        is_active=activate,
    )
    states = {}
    for i, s in enumerate(spec["states"]):
        states[s["code"]] = State.objects.create(
            definition=definition,
            code=s["code"],
            name=s["name"],
            name_en=s.get("name_en", ""),
            kind=s.get("kind", "active"),
            color=s.get("color", "secondary"),
            deadline_minutes=s.get("deadline_minutes"),
            deadline_business_time=s.get("deadline_business_time", True),
            position=i,
        )
    for i, t in enumerate(spec["transitions"]):
        transition = Transition.objects.create(
            definition=definition,
            code=t["code"],
            name=t["name"],
            name_en=t.get("name_en", ""),
            target=states[t["to"]],
            allowed_roles=t["roles"],
            allowed_departments=t.get("departments", []),
            fields=t.get("fields", []),
            conditions=t.get("conditions", {}),
            effects=t.get("effects", []),
            style=t.get("style", "primary"),
            position=i,
        )
        transition.sources.set([states[c] for c in t["from"]])
    return definition


def _export_state(state) -> dict:
    data = {
        "code": state.code,
        "name": state.name,
        "name_en": state.name_en,
        "kind": state.kind,
        "color": state.color,
    }
    if state.deadline_minutes:
        data["deadline_minutes"] = state.deadline_minutes
        data["deadline_business_time"] = state.deadline_business_time
    return data


def export_definition(definition) -> dict:
    return {
        "code": definition.code,
        "version": definition.version,
        "name": definition.name,
        "name_en": definition.name_en,
        "description": definition.description,
        "custom_fields": definition.custom_fields,
        "forms": definition.forms,
        "states": [_export_state(s) for s in definition.states.order_by("position")],
        "transitions": [
            {
                "code": t.code,
                "name": t.name,
                "name_en": t.name_en,
                "from": [s.code for s in t.sources.order_by("position")],
                "to": t.target.code,
                "roles": t.allowed_roles,
                "departments": t.allowed_departments,
                "fields": t.fields,
                "conditions": t.conditions,
                "effects": t.effects,
                "style": t.style,
            }
            for t in definition.transitions.order_by("position").select_related("target")
        ],
    }


def install_presets(**kwargs):
    """Load each shipped definition that the database does not have yet."""
    from kefu.processes.models import ProcessDefinition

    for path in sorted(PRESET_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if not ProcessDefinition.objects.filter(code=spec["code"]).exists():
            load_definition(spec)
