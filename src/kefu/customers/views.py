"""Customer files (客户档案): list, page, create, edit, revealing a number."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.contacts.services import visible_contacts
from kefu.core.decorators import center_staff_required
from kefu.core.forms import apply_errors
from kefu.core.htmx import is_htmx
from kefu.core.paging import paginate
from kefu.customers import phones, services
from kefu.customers.forms import (
    CUSTOMER_FIELDS,
    AddressFormSet,
    CustomerForm,
    CustomerListFilter,
    PhoneFormSet,
    ProductFormSet,
    RemovePhonesForm,
    check_all,
    formset_rows,
    phone_numbers,
)
from kefu.customers.models import Customer, Phone
from kefu.workorders.services import visible_orders

TIMELINE_PAGE = 30


@require_GET
@center_staff_required
def customer_list(request):
    form = CustomerListFilter(request.GET)
    form.is_valid()  # an invalid filter is reported on the form and left out
    filters = form.cleaned_data
    customers = (
        services.filter_customers(
            request.user,
            query=filters.get("q", ""),
            segment=filters.get("segment", ""),
            kind=filters.get("kind", ""),
            tag=filters.get("tag"),
        )
        .select_related("unit")
        .prefetch_related("phones", "tags")
    )
    page = paginate(customers, request.GET.get("page"))
    context = {"form": form, "page": page}
    if is_htmx(request):
        return render(request, "customers/includes/customer_table.html", context)
    return render(request, "customers/list.html", context)


def _visible_customer(request, pk):
    customers = services.visible_customers(request.user)
    return get_object_or_404(customers.select_related("unit", "created_by"), pk=pk)


@require_GET
@center_staff_required
def customer_detail(request, pk):
    customer = _visible_customer(request, pk)
    user = request.user
    orders = (
        visible_orders(user)
        .filter(customer=customer)
        .select_related("state", "order_type", "department")[:20]
    )
    contacts = (
        visible_contacts(user).filter(customer=customer).select_related("agent", "work_order")[:10]
    )
    context = {
        "customer": customer,
        "phones": customer.phones.all(),
        "addresses": customer.addresses.all(),
        "products": customer.products.all(),
        "tags": customer.tags.all(),
        "orders": orders,
        "contacts": contacts,
        "timeline": _timeline_page(customer, user, 1),
    }
    return render(request, "customers/detail.html", context)


def _timeline_page(customer, user, number):
    events = services.customer_timeline(customer, user).prefetch_related("subject")
    return paginate(events, number, per_page=TIMELINE_PAGE)


@require_GET
@center_staff_required
def customer_timeline(request, pk):
    """The next page of the customer's timeline, appended by htmx."""
    customer = _visible_customer(request, pk)
    page = _timeline_page(customer, request.user, request.GET.get("page"))
    return render(
        request, "customers/includes/timeline_page.html", {"customer": customer, "timeline": page}
    )


@require_POST
@center_staff_required
def reveal_phone(request, pk):
    phones = Phone.objects.filter(customer__in=services.visible_customers(request.user))
    phone = get_object_or_404(phones.select_related("customer__unit"), pk=pk)
    number = services.reveal_phone(
        phone, user=request.user, ip_address=request.META.get("REMOTE_ADDR")
    )
    return render(
        request, "customers/includes/phone_revealed.html", {"phone": phone, "number": number}
    )


@require_GET
@center_staff_required
def duplicate_check(request):
    """Live hint under a phone field: files that already have this number."""
    numbers = [v for k, v in request.GET.items() if k.endswith("number")]
    exclude = None
    if request.GET.get("exclude", "").isdigit():
        exclude = Customer(pk=int(request.GET["exclude"]))
    duplicates = services.find_duplicates(request.user, numbers, exclude=exclude)[:5]
    return render(request, "customers/includes/duplicates.html", {"duplicates": duplicates})


def _customer_fields(form):
    return {name: form.cleaned_data[name] for name in CUSTOMER_FIELDS}


def _prefill(params):
    """Name and number for a new file, from ``name``/``phone`` or from the
    search (``q``) that found nobody."""
    name, phone, query = (
        params.get("name", ""),
        params.get("phone", ""),
        params.get("q", "").strip(),
    )
    if query and phones.try_normalize(query):
        phone = phone or query
    elif query:
        name = name or query
    return name, phone


@center_staff_required
def customer_create(request):
    user = request.user
    data = request.POST if request.method == "POST" else None
    name, phone = _prefill(request.GET)
    form = CustomerForm(data, user=user, initial={"name": name})
    phone_set = PhoneFormSet(data, prefix="phones", initial=[{"number": phone}])
    addresses = AddressFormSet(data, instance=Customer(), prefix="addresses")
    products = ProductFormSet(data, instance=Customer(), prefix="products")

    def save():
        customer = services.create_customer(
            user=user,
            unit=form.cleaned_data["unit"],
            phone_numbers=phone_numbers(phone_set),
            addresses=formset_rows(addresses, services.ADDRESS_FIELDS),
            products=formset_rows(products, services.PRODUCT_FIELDS),
            **_customer_fields(form),
        )
        messages.success(request, _("Customer file of %(name)s created.") % {"name": customer.name})
        return customer

    return _file_form_page(
        request, None, save, form=form, phone_set=phone_set, addresses=addresses, products=products
    )


@center_staff_required
def customer_edit(request, pk):
    user = request.user
    customer = _visible_customer(request, pk)
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(data, user=user, instance=customer)
    existing = list(customer.phones.all())
    remove_form = RemovePhonesForm(data, customer=customer, prefix="old")
    phone_set = PhoneFormSet(data, prefix="phones")
    addresses = AddressFormSet(data, instance=customer, prefix="addresses")
    products = ProductFormSet(data, instance=customer, prefix="products")

    def save():
        removed = remove_form.cleaned_data["remove"]
        services.update_customer(
            customer,
            user=user,
            phone_numbers=phone_numbers(phone_set, existing, removed),
            addresses=formset_rows(addresses, services.ADDRESS_FIELDS),
            products=formset_rows(products, services.PRODUCT_FIELDS),
            **_customer_fields(form),
        )
        messages.success(request, _("Customer file saved."))
        return customer

    return _file_form_page(
        request,
        customer,
        save,
        form=form,
        remove_form=remove_form,
        phone_set=phone_set,
        addresses=addresses,
        products=products,
    )


def _file_form_page(request, customer, save, **parts):
    """The create and edit pages: check every part, warn when a new number
    already belongs to another file (unless the user saves anyway), then
    ``save()`` through the services; whatever fails, nothing is written and
    the input stays on the page."""
    duplicates, has_errors = [], False
    if request.method == "POST":
        if check_all(*parts.values()):
            numbers = phone_numbers(parts["phone_set"])
            duplicates = list(services.find_duplicates(request.user, numbers, exclude=customer))
            if not duplicates or request.POST.get("save_anyway"):
                try:
                    saved = save()
                except ValidationError as exc:
                    apply_errors(parts["form"], exc)
                else:
                    return redirect("customers:detail", pk=saved.pk)
        has_errors = not all(part.is_valid() for part in parts.values())
    context = {"customer": customer, "duplicates": duplicates, "has_errors": has_errors, **parts}
    return render(request, "customers/form.html", context)
