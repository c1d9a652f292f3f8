"""Processes as data: a definition is a versioned set of states and the
transitions between them, each naming the roles that may take it, the fields
it asks for, the conditions it needs and the effects it has. The engine
(``kefu.processes.engine``) runs any definition; no process is hard-coded."""

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LabelledMixin:
    """Rows carry a Chinese and an English name; show the active language's."""

    @property
    def label(self):
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class ProcessDefinition(LabelledMixin, models.Model):
    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    # [{"name": "key_number", "label": "钥匙编号", "label_en": "Key number",
    #   "type": "text", "choices": [...]}]: the template's own fields, asked
    # for by transitions like the subject's built-in ones (see custom_fields).
    custom_fields = models.JSONField(_("custom fields"), default=list, blank=True)
    # [{"code": "repair_sheet", "title": "维修工作单", "states": [...],
    #   "fields": [...], "signatures": [...]}]: forms printed at given steps.
    forms = models.JSONField(_("printed forms"), default=list, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("New records start on the active version.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="process_code_version_unique")
        ]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self):
        return f"{self.label} v{self.version}"

    def custom_field(self, name):
        return next((f for f in self.custom_fields if f.get("name") == name), None)

    def printed_form(self, code):
        return next((f for f in self.forms if f.get("code") == code), None)

    @property
    def start_state(self):
        return self.states.get(kind=State.Kind.START)


class State(LabelledMixin, models.Model):
    class Kind(models.TextChoices):
        START = "start", _("Start")
        ACTIVE = "active", _("In progress")
        WAITING = "waiting", _("Waiting")
        END = "end", _("End")

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, related_name="states"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTIVE)
    color = models.CharField(_("colour"), max_length=20, default="secondary")
    deadline_minutes = models.PositiveIntegerField(
        _("step deadline (minutes)"),
        null=True,
        blank=True,
        help_text=_("Time a record may stay in this step; the SLA engine keeps the clock."),
    )
    deadline_business_time = models.BooleanField(_("deadline in business time"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="state_code_unique")
        ]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self):
        return self.label

    @property
    def is_end(self):
        return self.kind == self.Kind.END


class Transition(LabelledMixin, models.Model):
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, related_name="transitions"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    sources = models.ManyToManyField(State, related_name="outgoing", verbose_name=_("from states"))
    target = models.ForeignKey(
        State, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("to state")
    )
    allowed_roles = models.JSONField(_("allowed roles"), default=list)
    # Department functions (core.Department.Function) whose staff may take the
    # transition; empty means the roles alone decide.
    allowed_departments = models.JSONField(
        _("allowed department functions"), default=list, blank=True
    )
    # [{"name": "department", "required": true}, ...]; names come from the
    # subject's field registry (e.g. kefu.workorders.process_fields).
    fields = models.JSONField(_("fields"), default=list, blank=True)
    # {"satisfaction": {"in": [...]}, "type": {"eq": "inquiry"}}: all must hold.
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    # Names from the subject's effect registry, run in order after the move.
    effects = models.JSONField(_("effects"), default=list, blank=True)
    style = models.CharField(_("button style"), max_length=20, default="primary")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="transition_code_unique")
        ]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self):
        return self.label

    @property
    def field_names(self):
        return [f["name"] for f in self.fields]
