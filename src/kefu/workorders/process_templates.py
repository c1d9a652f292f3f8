"""Process templates (流程模板) for work orders as administrators manage
them: who may, saving an edited or imported template as a new version, and
the diagram of a template. Running orders keep the version they started on."""

import json
from collections import deque
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from kefu.core import timeline
from kefu.core.roles import Role
from kefu.processes.custom_fields import localized
from kefu.processes.models import ProcessDefinition, State
from kefu.processes.presets import load_definition
from kefu.workorders.models import WorkOrder, WorkOrderType
from kefu.workorders.printing import template_field_names

MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
MAX_TEMPLATE_BYTES = 512 * 1024


def can_view_templates(user):
    return user.is_superuser or user.is_center_staff


def can_manage_templates(user):
    return user.is_superuser or user.role in MANAGING_ROLES


def parse_template(raw):
    """A template's JSON text (or bytes) as a dictionary, or a clear error."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise ValidationError(_("A template file may be at most 512 KB."))
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The template file must be UTF-8 text.")) from None
    try:
        spec = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("This is not valid JSON (line %(line)s, column %(col)s): %(msg)s")
            % {"line": error.lineno, "col": error.colno, "msg": error.msg}
        ) from None
    if not isinstance(spec, dict):
        raise ValidationError(_("A template is a JSON object with code, name, states …"))
    return spec


def check_template(spec):
    """Raise ValidationError listing every problem of ``spec`` for work orders."""
    from kefu.processes.presets import validate_spec

    validate_spec(spec, subject_fields=template_field_names())


@transaction.atomic
def save_template(*, user, spec, activate=True):
    """Store ``spec`` as the next version of its process (or its first)."""
    if not can_manage_templates(user):
        raise PermissionDenied(_("Only administrators change process templates."))
    if isinstance(spec, (str, bytes)):
        spec = parse_template(spec)
    previous = ProcessDefinition.objects.filter(code=spec.get("code")).order_by("-version").first()
    definition = load_definition(spec, activate=activate, subject_fields=template_field_names())
    timeline.record(
        definition,
        "process.saved",
        actor=user,
        message=_("Version %(version)s of “%(name)s” saved")
        % {"version": definition.version, "name": definition.name},
        before={"version": previous.version} if previous else {},
        after={"version": definition.version, "active": definition.is_active},
    )
    return definition


def template_overview():
    """Each process with its active (or newest) version, how many versions
    and running orders it has, and the order types that use it."""
    running = dict(
        WorkOrder.objects.filter(closed_at__isnull=True)
        .values_list("process__code")
        .annotate(n=Count("id"))
        .values_list("process__code", "n")
    )
    types = {}
    for order_type in WorkOrderType.objects.filter(is_active=True):
        types.setdefault(order_type.process_code, []).append(order_type)
    rows = {}
    for definition in ProcessDefinition.objects.order_by("code", "-is_active", "-version"):
        row = rows.setdefault(
            definition.code,
            {"definition": definition, "versions": 0, "running": running.get(definition.code, 0)},
        )
        row["versions"] += 1
        row["types"] = types.get(definition.code, [])
    return list(rows.values())


KIND_COLOURS = {
    State.Kind.START: "#206bc4",
    State.Kind.ACTIVE: "#f59f00",
    State.Kind.WAITING: "#ae3ec9",
    State.Kind.END: "#2fb344",
}


def diagram(spec):
    """Nodes and links for an ECharts graph of a template (as exported or
    being edited): states in columns by their distance from the start,
    transitions as labelled arrows."""
    states = [s for s in spec.get("states", []) if isinstance(s, dict) and s.get("code")]
    codes = {s["code"] for s in states}
    links = [
        {"source": source, "target": t.get("to"), "value": localized(t, "name")}
        for t in spec.get("transitions", [])
        if isinstance(t, dict)
        for source in t.get("from") or []
        if source in codes and t.get("to") in codes
    ]
    # Several actions between the same two steps (a branch, a redo) bend
    # apart so their labels do not sit on one another.
    seen = {}
    for link in links:
        pair = (link["source"], link["target"])
        seen[pair] = seen.get(pair, -1) + 1
        link["lineStyle"] = {"curveness": 0.18 + 0.22 * seen[pair]}
    edges = {code: [link["target"] for link in links if link["source"] == code] for code in codes}
    start = next((s["code"] for s in states if s.get("kind") == State.Kind.START), None)
    depth = {start: 0} if start else {}
    queue = deque(depth)
    while queue:
        code = queue.popleft()
        for nxt in edges[code]:
            if nxt not in depth:
                depth[nxt] = depth[code] + 1
                queue.append(nxt)
    unreachable_column = max(depth.values(), default=0) + 1
    rows_used = {}
    nodes = []
    for state in states:
        column = depth.get(state["code"], unreachable_column)
        row = rows_used.get(column, 0)
        rows_used[column] = row + 1
        kind = state.get("kind", State.Kind.ACTIVE)
        nodes.append(
            {
                "name": state["code"],
                "x": column * 200,
                "y": row * 100 + (column % 2) * 35,
                "itemStyle": {"color": KIND_COLOURS.get(kind, "#667382")},
                "label": {"formatter": localized(state, "name")},
                "symbol": "circle" if kind == State.Kind.END else "roundRect",
            }
        )
    return {"nodes": nodes, "links": links}


def date_reminders(user, today, *, orders=None):
    """Open orders whose template date field with ``remind_before_days`` falls
    due by then (lease renewals, key returns, promised payments …), soonest
    first."""
    from kefu.workorders.services import visible_orders

    orders = visible_orders(user) if orders is None else orders
    rows = []
    for definition in ProcessDefinition.objects.exclude(custom_fields=[]):
        for field in definition.custom_fields:
            if field.get("type") != "date" or "remind_before_days" not in field:
                continue
            horizon = today.toordinal() + int(field["remind_before_days"])
            name = field["name"]
            candidates = orders.filter(
                process=definition, closed_at__isnull=True, **{f"data__{name}__isnull": False}
            ).select_related("customer", "state", "order_type")
            for order in candidates:
                value = order.data.get(name)
                try:
                    due = date.fromisoformat(value)
                except (TypeError, ValueError):
                    continue
                if due.toordinal() <= horizon:
                    days = (due - today).days
                    rows.append(
                        {
                            "order": order,
                            "label": localized(field),
                            "due": due,
                            "days_left": max(days, 0),
                            "days_overdue": max(-days, 0),
                        }
                    )
    return sorted(rows, key=lambda row: row["due"])
