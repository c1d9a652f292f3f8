from django.contrib import admin

from kefu.sla.forms import SlaPolicyForm
from kefu.sla.models import EscalationLevel, RectificationNotice, SlaClock, SlaPolicy


class EscalationLevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = (
        "name",
        "subject",
        "position",
        "is_active",
        "first_response_minutes",
        "resolution_minutes",
        "business_time",
        "warn_percent",
    )
    list_editable = ("position", "is_active")
    list_filter = ("subject", "is_active")
    filter_horizontal = ("order_types", "categories", "units")
    inlines = [EscalationLevelInline]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = (
        "work_order",
        "complaint",
        "metric",
        "policy",
        "started_at",
        "due_at",
        "stopped_at",
        "breached_at",
        "escalation_level",
    )
    list_filter = ("metric", "policy")
    search_fields = ("work_order__number", "complaint__number")
    raw_id_fields = ("work_order", "complaint")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(admin.ModelAdmin):
    list_display = ("work_order", "department", "issued_at", "replied_at")
    list_filter = ("department",)
    raw_id_fields = ("work_order", "clock")
