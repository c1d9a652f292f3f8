"""A template's own fields (钥匙编号, 退货数量, 业主同意 …), declared in the
definition as data and asked for by its transitions like the subject's
built-in fields. Values live in the subject's ``data`` dictionary, as JSON."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.files.storage import default_storage
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kefu.processes.engine import FieldSpec

FIELD_TYPES = {
    "text": gettext_lazy("Text"),
    "longtext": gettext_lazy("Long text"),
    "number": gettext_lazy("Number"),
    "money": gettext_lazy("Amount of money"),
    "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice"),
    "file": gettext_lazy("File"),
    "consent": gettext_lazy("Signature / consent (yes or no)"),
}
MAX_FILE_BYTES = 20 * 1024 * 1024


def localized(entry, key="label"):
    """``entry[key]`` in the active language (``key_en`` for English)."""
    lang = (get_language() or "zh-hans").lower()
    if lang.startswith("en") and entry.get(f"{key}_en"):
        return entry[f"{key}_en"]
    return entry.get(key) or entry.get("name") or entry.get("code", "")


def choice_label(field, value):
    for choice in field.get("choices", []):
        if choice.get("value") == value:
            return localized(choice)
    return value


def validate_field_declarations(custom_fields, reserved_names):
    """Messages for every problem in a template's ``custom_fields``."""
    errors = []
    if not isinstance(custom_fields, list):
        return [_("“fields” must be a list of field declarations.")]
    names = set()
    for field in custom_fields:
        name = field.get("name") if isinstance(field, dict) else None
        if not name or not isinstance(name, str) or not name.isidentifier():
            errors.append(_("Every custom field needs a name made of letters, digits and _."))
            continue
        if name in names:
            errors.append(_("The custom field “%(f)s” is declared twice.") % {"f": name})
        if name in reserved_names:
            errors.append(
                _("The custom field “%(f)s” has the name of a built-in field.") % {"f": name}
            )
        names.add(name)
        if not field.get("label"):
            errors.append(_("The custom field “%(f)s” needs a label.") % {"f": name})
        kind = field.get("type")
        if kind not in FIELD_TYPES:
            errors.append(
                _("The custom field “%(f)s” has an unknown type “%(t)s”; use one of %(types)s.")
                % {"f": name, "t": kind, "types": ", ".join(FIELD_TYPES)}
            )
        elif kind == "choice" and not (
            isinstance(field.get("choices"), list)
            and field["choices"]
            and all(isinstance(c, dict) and c.get("value") for c in field["choices"])
        ):
            errors.append(
                _("The choice field “%(f)s” needs a list of choices, each with a value.")
                % {"f": name}
            )
    return errors


def _not_too_large(upload):
    if upload.size > MAX_FILE_BYTES:
        raise forms.ValidationError(_("A file may be at most 20 MB."))


def _form_field(field):
    kind = field["type"]
    if kind == "text":
        return forms.CharField(max_length=500)
    if kind == "longtext":
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    if kind == "number":
        return forms.DecimalField(max_digits=14, decimal_places=4)
    if kind == "money":
        return forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    if kind == "choice":
        return forms.ChoiceField(
            choices=[("", "---------")] + [(c["value"], localized(c)) for c in field["choices"]]
        )
    if kind == "file":
        return forms.FileField(max_length=200, validators=[_not_too_large])
    return forms.BooleanField(help_text=localized(field, "help") if field.get("help") else "")


def _stored(subject, field, value):
    kind = field["type"]
    if kind == "number":
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == "money":
        return str(value.quantize(Decimal("0.01")))
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    if kind == "file":
        path = default_storage.save(
            f"process-files/{subject._meta.model_name}/{subject.pk}/{field['name']}/{value.name}",
            value,
        )
        return {"name": value.name, "path": path, "size": value.size}
    return value


def field_spec(field):
    """The engine's FieldSpec for one declared custom field."""
    name = field["name"]

    def form_field(subject, user):
        return _form_field(field)

    def apply(subject, value):
        subject.data = {**(subject.data or {}), name: _stored(subject, field, value)}

    def snapshot(subject):
        return (subject.data or {}).get(name, "")

    return FieldSpec(label=localized(field), form_field=form_field, apply=apply, snapshot=snapshot)


def display_value(field, value):
    """A stored value as the reader sees it."""
    if value in (None, "", {}):
        return ""
    kind = field.get("type")
    if kind == "choice":
        return choice_label(field, value)
    if kind == "consent" or isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == "file" and isinstance(value, dict):
        return value.get("name", "")
    if kind == "money":
        return f"¥{value}"
    return str(value)
