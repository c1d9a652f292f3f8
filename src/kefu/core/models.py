from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.roles import CENTER_ROLES, SUPERVISING_ROLES, Role


class OrgUnit(models.Model):
    """A node of the organisation tree (总部 → 大区 → 省公司 → 办事处, or
    group → property project). ``path`` is the chain of codes from the root,
    so a unit's subtree is one indexed prefix query."""

    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Headquarters")
        REGION = "region", _("Region")
        BRANCH = "branch", _("Branch company")
        OFFICE = "office", _("Office")
        GROUP = "group", _("Group")
        PROJECT = "project", _("Property project")
        CENTER = "center", _("Service center")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=500, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    calendar = models.ForeignKey(
        "core.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
        help_text=_("Opening hours and holidays; empty means the parent unit's calendar."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Checked here too, not only in clean(): saving a unit under its own
        # subtree would otherwise re-path that subtree without end.
        self._refuse_cycle()
        old_path = self.path
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        self.depth = self.parent.depth + 1 if self.parent else 0
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in OrgUnit.objects.filter(parent=self):
                    child.save()

    def clean(self):
        self._refuse_cycle()

    def _refuse_cycle(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
            node = node.parent

    def subtree(self):
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        codes = [c for c in self.path.strip("/").split("/") if c]
        return OrgUnit.objects.filter(code__in=codes).order_by("depth")


class Department(models.Model):
    """A responsible department (责任部门) that receives dispatched work:
    internal (engineering, finance, security, ...) or an outside party
    (factory, dealer). ``deadline_hours`` is its default dispatch deadline."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    class Function(models.TextChoices):
        ENGINEERING = "engineering", _("Engineering / repair")
        FINANCE = "finance", _("Finance")
        SECURITY = "security", _("Security")
        TECHNICAL = "technical", _("Technical")
        SALES = "sales", _("Sales")
        CLEANING = "cleaning", _("Cleaning / environment")
        SERVICE = "service", _("Customer service")
        FACTORY = "factory", _("Factory")
        DEALER = "dealer", _("Dealer")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INTERNAL)
    function = models.CharField(
        _("function"), max_length=20, choices=Function.choices, default=Function.OTHER
    )
    deadline_hours = models.PositiveIntegerField(
        _("dispatch deadline (hours)"),
        default=24,
        help_text=_("Time a dispatched work order may take before it is overdue."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="department_code_unique_in_unit")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person using Kefu: service-center staff or department staff."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    agent_no = models.CharField(
        _("agent number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The 工号 the agent announces when answering."),
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        name = self.get_full_name() or self.username
        return f"{name}({self.agent_no})" if self.agent_no else name

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    @property
    def is_center_staff(self):
        return self.is_superuser or self.role in CENTER_ROLES

    @property
    def is_supervising(self):
        return self.is_superuser or self.role in SUPERVISING_ROLES

    @property
    def is_handler(self):
        return self.role == Role.HANDLER


class TimelineEvent(models.Model):
    """One thing that happened to a record: who, when, what, before/after.

    Every app writes its state changes here through ``kefu.core.timeline``;
    ``customer`` is set when the event concerns a customer, so the customer's
    file shows one timeline of everything."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="timeline_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    verb = models.CharField(max_length=40)
    message = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["customer", "at"]),
        ]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.message}"


class AccessLog(models.Model):
    """A view of confidential data (a full phone number, say)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    field = models.CharField(max_length=60)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.field}"


class NumberSequence(models.Model):
    """The last number handed out for a prefix on a day (see core.numbering)."""

    prefix = models.CharField(max_length=10)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="number_sequence_unique")
        ]

    def __str__(self):
        return f"{self.prefix}{self.day:%Y%m%d}: {self.last}"


# Calendars and notifications live in their own modules; importing them
# here registers their models.
from kefu.core.calendars import BusinessCalendar, CalendarDay, OpeningHours  # noqa: E402, F401
from kefu.core.notifications import Notification  # noqa: E402, F401
