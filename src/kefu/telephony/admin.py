"""Configuring the call center: PBXs, queues and members, IVR menus, the
blocklist; call records, state history and routing pushes are read-only."""

from django.contrib import admin
from django.db import models

from kefu.core.admin import ReadOnlyAdmin
from kefu.telephony import ivr
from kefu.telephony.models import (
    AgentStateLog,
    BlockedNumber,
    Call,
    IvrMenu,
    IvrOption,
    Pbx,
    Queue,
    QueueMember,
    RoutePush,
)


@admin.register(Pbx)
class PbxAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "protocol", "route_url", "is_active")
    list_filter = ("protocol", "is_active")
    # PBXs listen on the intranet, mostly without TLS.
    formfield_overrides = {models.URLField: {"assume_scheme": "http"}}


class QueueMemberInline(admin.TabularInline):
    model = QueueMember
    autocomplete_fields = ("agent",)
    extra = 1


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "unit",
        "service_level_seconds",
        "overflow_queue",
        "overflow_after_seconds",
        "calendar",
        "is_active",
    )
    list_filter = ("unit", "is_active")
    search_fields = ("code", "name")
    inlines = [QueueMemberInline]


@admin.register(BlockedNumber)
class BlockedNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "unit", "reason", "created_at")
    search_fields = ("number", "reason")


class IvrOptionInline(admin.TabularInline):
    model = IvrOption
    fk_name = "menu"
    extra = 1


@admin.register(IvrMenu)
class IvrMenuAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "is_root")
    inlines = [IvrOptionInline]

    def save_formset(self, request, form, formset, change):
        for option_form in formset.forms:
            option = option_form.instance
            if option_form.has_changed() and option.key:
                option.menu = form.instance
                ivr.validate_option(option)
        super().save_formset(request, form, formset, change)


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = (
        "offered_at",
        "caller",
        "queue",
        "agent",
        "status",
        "disposition",
        "customer",
        "unit",
    )
    list_filter = ("disposition", "status", "direction", "queue")
    search_fields = ("call_id", "caller", "called", "customer__name")
    date_hierarchy = "offered_at"
    list_select_related = ("queue", "agent", "customer", "unit")


@admin.register(AgentStateLog)
class AgentStateLogAdmin(ReadOnlyAdmin):
    list_display = ("agent", "status", "reason", "started_at", "ended_at")
    list_filter = ("status", "reason")
    date_hierarchy = "started_at"
    list_select_related = ("agent",)


@admin.register(RoutePush)
class RoutePushAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "pbx", "call", "agent", "status", "attempts", "error")
    list_filter = ("status", "pbx")
    date_hierarchy = "created_at"
    list_select_related = ("pbx", "call", "agent")
