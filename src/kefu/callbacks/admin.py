from django.contrib import admin

from kefu.callbacks.models import (
    CallbackPolicy,
    CallbackScript,
    CallbackSkill,
    CallbackTask,
    QuietPeriod,
    SpotCheck,
)


@admin.register(CallbackPolicy)
class CallbackPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "code", "name", "trigger", "segment", "ratio", "deadline_days", "method", "priority",
        "mandatory", "is_active",
    )  # fmt: skip
    list_filter = ("trigger", "method", "is_active")
    list_editable = ("ratio", "is_active")


@admin.register(CallbackScript)
class CallbackScriptAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(QuietPeriod)
class QuietPeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit")


@admin.register(CallbackSkill)
class CallbackSkillAdmin(admin.ModelAdmin):
    list_display = ("agent", "level", "methods")
    raw_id_fields = ("agent",)


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin):
    """Read-only: tasks change through the callback pages and services, which
    keep the timeline."""

    list_display = ("number", "customer", "policy", "method", "status", "assignee", "due_at")
    list_filter = ("status", "method", "policy")
    search_fields = ("number", "customer__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    list_display = ("task", "outcome", "picked_at", "checked_by")
    list_filter = ("outcome",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
