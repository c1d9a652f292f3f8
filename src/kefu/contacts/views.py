"""The contact records list (来电/接待记录)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.contacts.forms import ContactFilter
from kefu.contacts.services import visible_contacts
from kefu.core.decorators import center_staff_required
from kefu.core.htmx import is_htmx
from kefu.core.paging import paginate
from kefu.customers.services import visible_customers


@require_GET
@center_staff_required
def contact_list(request):
    user = request.user
    form = ContactFilter(request.GET, user=user)
    contacts = form.apply(visible_contacts(user)).select_related(
        "customer", "agent", "work_order", "unit"
    )
    customer = None
    if form.cleaned_data.get("customer"):
        customer = visible_customers(user).filter(pk=form.cleaned_data["customer"]).first()
    context = {
        "form": form,
        "page": paginate(contacts, request.GET.get("page")),
        "customer": customer,
    }
    if is_htmx(request):
        return render(request, "contacts/includes/contact_table.html", context)
    return render(request, "contacts/list.html", context)
