"""Shift templates: the seeds' e-commerce day is installed from the roster
page; a center's own shifts (a 24-hour hotline's night shift) are set here."""

from django.contrib import admin

from kefu.workforce.models import ShiftTemplate


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "hours", "break_minutes", "is_active")
    list_filter = ("unit", "is_active")
    search_fields = ("code", "name")
    fields = (
        "unit",
        "code",
        "name",
        "name_en",
        ("start", "end"),
        ("break_minutes", "break_after_minutes"),
        "colour",
        "segments",
        "is_active",
    )
