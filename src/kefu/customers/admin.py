"""Customer data stewardship: files are read here, with who viewed their
numbers; they are changed in the application, where every change goes on
the customer's timeline."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kefu.core.admin import ReadOnlyAdmin
from kefu.core.models import AccessLog
from kefu.customers import services
from kefu.customers.models import Address, Customer, Phone, Product, Tag


class ReadOnlyInline:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PhoneInline(ReadOnlyInline, admin.TabularInline):
    model = Phone
    fields = ("masked", "kind", "label", "is_primary")
    readonly_fields = ("masked",)

    @admin.display(description=_("number"))
    def masked(self, obj):
        return obj.masked


class AddressInline(ReadOnlyInline, admin.TabularInline):
    model = Address
    fields = ("label", "region", "detail", "project", "building", "room", "postcode")


class ProductInline(ReadOnlyInline, admin.TabularInline):
    model = Product
    fields = ("model", "serial", "purchase_date", "dealer", "receipt_no")


class AccessLogInline(ReadOnlyInline, GenericTabularInline):
    """Who saw this customer's full numbers, and when."""

    model = AccessLog
    fields = ("at", "user", "field", "ip_address")
    ordering = ("-at",)
    verbose_name = _("view of a full number")
    verbose_name_plural = _("views of full numbers")


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "segment", "unit", "created_at", "open_link")
    list_filter = ("segment", "kind", "tags", "unit")
    search_fields = ("name", "contact_person", "email")
    search_help_text = _("Name, contact person, email or phone number in any form.")
    list_select_related = ("unit",)
    date_hierarchy = "created_at"
    fields = (
        "name",
        "kind",
        "segment",
        "unit",
        "contact_person",
        "email",
        "tags",
        "notes",
        "created_at",
        "created_by",
    )
    inlines = (PhoneInline, AddressInline, ProductInline, AccessLogInline)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        matches = services.lookup_by_phone(search_term)
        if matches.exists():
            results = results | queryset.filter(pk__in=matches.values("pk"))
        return results, may_have_duplicates

    @admin.display(description=_("file"))
    def open_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("customers:detail", args=[obj.pk]), _("Open in Kefu")
        )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "color")
    search_fields = ("name",)
