from django.contrib import admin

from kefu.complaints.models import Complaint, ComplaintCategory


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "sort", "is_active")
    list_editable = ("sort", "is_active")


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: complaints change through their page, which keeps the timeline."""

    list_display = ("number", "unit", "category", "severity", "status", "received_at")
    list_filter = ("status", "severity", "category")
    search_fields = ("number", "complainant_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
