"""Operations support (运营支持): the organisation tree, departments, users,
and read-only views of the timeline and of who looked at confidential data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core.models import (
    AccessLog,
    BusinessCalendar,
    CalendarDay,
    Department,
    Notification,
    OpeningHours,
    OrgUnit,
    TimelineEvent,
    User,
)

admin.site.site_header = _("Kefu administration")
admin.site.site_title = _("Kefu administration")
admin.site.index_title = _("Operations support")


def subject_link(obj):
    """A link to the admin page of the record a log row is about."""
    subject = obj.subject
    if subject is None:
        return "—"
    meta = subject._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[subject.pk])
    except NoReverseMatch:
        return f"{meta.verbose_name}: {subject}"
    return format_html('<a href="{}">{}: {}</a>', url, meta.verbose_name, subject)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are written by the application only: nobody edits history.
    Their tables grow large, so nothing here counts or groups all their rows."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth")
    fields = ("name", "code", "kind", "parent", "calendar", "is_active", "path", "depth")
    autocomplete_fields = ("parent",)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return format_html('<span style="padding-left: {}em">{}</span>', obj.depth * 1.5, obj.name)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "unit",
        "kind",
        "function",
        "deadline_hours",
        "phone",
        "is_active",
    )
    list_filter = ("kind", "function", "is_active", "unit")
    search_fields = ("name", "code", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "agent_no",
        "role",
        "unit",
        "department",
        "is_staff",
        "is_active",
    )
    list_filter = ("role", "is_staff", "is_active", "unit")
    search_fields = ("username", "first_name", "last_name", "agent_no", "email")
    list_select_related = ("unit", "department")
    autocomplete_fields = ("unit", "department")
    fieldsets = (
        *BaseUserAdmin.fieldsets[:2],
        (_("Service center"), {"fields": ("role", "agent_no", "unit", "department", "phone")}),
        *BaseUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Service center"), {"fields": ("first_name", "role", "agent_no", "unit", "department")}),
    )

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return obj.display_name


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "subject_link", "field", "ip_address")
    search_fields = ("user__username", "user__first_name", "user__agent_no", "field")
    date_hierarchy = "at"
    list_select_related = ("user", "content_type")

    @admin.display(description=_("record"))
    def subject_link(self, obj):
        return subject_link(obj)


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "verb", "message", "actor", "subject_link", "customer")
    search_fields = ("message", "verb", "actor__username", "customer__name")
    date_hierarchy = "at"
    list_select_related = ("actor", "content_type", "customer")
    fields = ("at", "verb", "message", "actor", "subject_link", "customer", "before", "after")

    @admin.display(description=_("record"))
    def subject_link(self, obj):
        return subject_link(obj)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "always_open", "follows_china_holidays", "is_default")
    inlines = [OpeningHoursInline, CalendarDayInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "level", "title", "read_at")
    list_filter = ("level",)
    search_fields = ("title", "user__username")
