"""Pages of the process templates (流程模板): the list, each template with its
diagram, the editor that saves a new version, import and export as JSON."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.decorators import center_staff_required
from kefu.processes.custom_fields import FIELD_TYPES, localized
from kefu.processes.models import ProcessDefinition
from kefu.processes.presets import export_definition
from kefu.workorders import process_templates as templates
from kefu.workorders.models import WorkOrder

NEW_TEMPLATE = {
    "code": "my_process",
    "name": "新流程",
    "name_en": "New process",
    "description": "",
    "custom_fields": [],
    "forms": [],
    "states": [
        {"code": "registered", "name": "已登记", "name_en": "Registered", "kind": "start"},
        {"code": "done", "name": "已完成", "name_en": "Done", "kind": "end", "color": "green"},
    ],
    "transitions": [
        {
            "code": "finish",
            "name": "完成",
            "name_en": "Finish",
            "from": ["registered"],
            "to": "done",
            "roles": ["agent", "supervisor"],
            "fields": [{"name": "note", "required": False}],
            "effects": ["mark_resolved", "close"],
        }
    ],
}


def _require_manager(user):
    if not templates.can_manage_templates(user):
        raise PermissionDenied(_("Only administrators change process templates."))


def _pretty(spec):
    return json.dumps(spec, ensure_ascii=False, indent=2)


@center_staff_required
def template_list(request):
    return render(
        request,
        "workorders/processes/list.html",
        {
            "rows": templates.template_overview(),
            "can_manage": templates.can_manage_templates(request.user),
        },
    )


def _field_rows(definition):
    return [
        {
            "name": f["name"],
            "label": localized(f),
            "type": FIELD_TYPES.get(f.get("type"), f.get("type")),
            "choices": "、".join(localized(c) for c in f.get("choices", [])),
        }
        for f in definition.custom_fields
    ]


@center_staff_required
def template_detail(request, pk):
    definition = get_object_or_404(ProcessDefinition, pk=pk)
    spec = export_definition(definition)
    return render(
        request,
        "workorders/processes/detail.html",
        {
            "definition": definition,
            "diagram": templates.diagram(spec),
            "states": definition.states.order_by("position"),
            "transitions": definition.transitions.order_by("position")
            .select_related("target")
            .prefetch_related("sources"),
            "fields": _field_rows(definition),
            "forms": [
                {"code": f["code"], "title": localized(f, "title"), "states": f.get("states", [])}
                for f in definition.forms
            ],
            "versions": ProcessDefinition.objects.filter(code=definition.code).order_by("-version"),
            "running": WorkOrder.objects.filter(process=definition, closed_at__isnull=True).count(),
            "can_manage": templates.can_manage_templates(request.user),
        },
    )


@center_staff_required
def reminders(request):
    """Dates in template fields coming due: renewals, returns, promises."""
    today = timezone.localdate()
    return render(
        request,
        "workorders/processes/reminders.html",
        {"rows": templates.date_reminders(request.user, today), "today": today},
    )


@center_staff_required
def template_export(request, pk):
    definition = get_object_or_404(ProcessDefinition, pk=pk)
    response = HttpResponse(
        _pretty(export_definition(definition)), content_type="application/json; charset=utf-8"
    )
    filename = f"{definition.code}-v{definition.version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _editor(request, text, *, base=None, errors=None, status=200):
    return render(
        request,
        "workorders/processes/edit.html",
        {"text": text, "base": base, "errors": errors or []},
        status=status,
    )


def _save(request, text, base=None):
    """Save the editor's or an upload's text; on errors show them in the editor."""
    try:
        definition = templates.save_template(user=request.user, spec=text)
    except ValidationError as error:
        return _editor(request, text, base=base, errors=error.messages, status=400)
    messages.success(
        request,
        _("Version %(version)s of “%(name)s” is saved and active; running orders keep theirs.")
        % {"version": definition.version, "name": definition.label},
    )
    return redirect("workorders:process_detail", pk=definition.pk)


@center_staff_required
def template_edit(request, pk=None):
    """Edit a template as JSON; saving makes a new version."""
    _require_manager(request.user)
    base = get_object_or_404(ProcessDefinition, pk=pk) if pk else None
    if request.method == "POST":
        return _save(request, request.POST.get("spec", ""), base)
    spec = export_definition(base) if base else NEW_TEMPLATE
    spec = {k: v for k, v in spec.items() if k != "version"}
    return _editor(request, _pretty(spec), base=base)


@center_staff_required
@require_POST
def template_preview(request):
    """The diagram and the problems of the text being edited, not saved."""
    _require_manager(request.user)
    errors, diagram = [], None
    try:
        spec = templates.parse_template(request.POST.get("spec", ""))
        diagram = templates.diagram(spec)
        templates.check_template(spec)
    except ValidationError as error:
        errors = error.messages
    return render(
        request, "workorders/processes/preview.html", {"errors": errors, "diagram": diagram}
    )


@center_staff_required
def template_import(request):
    """Upload a template exported from another unit or installation."""
    _require_manager(request.user)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a template file (.json) to import."))
            return redirect("workorders:process_list")
        raw = upload.read(templates.MAX_TEMPLATE_BYTES + 1)
        try:
            text = templates.parse_template(raw)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("workorders:process_list")
        return _save(request, _pretty(text))
    return redirect("workorders:process_list")
