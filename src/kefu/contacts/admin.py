"""Contact records are what happened: operations support reads them here."""

from django.contrib import admin

from kefu.contacts.models import Contact
from kefu.core.admin import ReadOnlyAdmin


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "channel",
        "direction",
        "customer",
        "caller",
        "agent",
        "unit",
        "work_order",
    )
    list_filter = ("channel", "direction", "unit")
    search_fields = ("content", "caller", "customer__name", "agent__username", "agent__agent_no")
    date_hierarchy = "occurred_at"
    list_select_related = ("customer", "agent", "unit", "work_order")
