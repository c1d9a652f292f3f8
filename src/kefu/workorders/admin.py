"""Work-order configuration: types (each runs a process) and the category tree."""

from django.contrib import admin

from kefu.workorders.models import Category, WorkOrderType


class CategoryInline(admin.TabularInline):
    model = Category
    fk_name = "order_type"
    fields = ("name", "parent", "position")
    extra = 1


@admin.register(WorkOrderType)
class WorkOrderTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_en",
        "code",
        "process_code",
        "default_priority",
        "position",
        "is_active",
    )
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "process_code")
    search_fields = ("name", "name_en", "code")
    inlines = (CategoryInline,)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "order_type", "position")
    list_filter = ("order_type",)
    search_fields = ("name", "parent__name")
    list_select_related = ("order_type", "parent")
    autocomplete_fields = ("parent",)
