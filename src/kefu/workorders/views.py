"""Web pages for work orders: the agent workbench, the order list, the order
page with its action modals, and the department inbox. Views only read input
and call ``kefu.workorders.services`` / ``kefu.processes.engine``; every order
is fetched through ``visible_orders`` so anything outside the user's scope is
a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.contacts.services import visible_contacts
from kefu.core.decorators import center_staff_required
from kefu.core.forms import StyledFormMixin, apply_errors
from kefu.core.htmx import is_htmx
from kefu.core.paging import paginate
from kefu.core.timeline import events_for
from kefu.customers import phones
from kefu.customers import services as customer_services
from kefu.processes.custom_fields import localized
from kefu.processes.engine import (
    TransitionError,
    available_transitions,
    take_transition,
    transition_form,
)
from kefu.processes.models import State, Transition
from kefu.sla.reports import prefetch_clocks
from kefu.workorders import printing, services
from kefu.workorders.forms import (
    AttachmentForm,
    ChargeForm,
    IntakeForm,
    NoteForm,
    OrderEditForm,
    OrderFilterForm,
    QuickCustomerForm,
    categories_for,
)
from kefu.workorders.models import Charge, WorkOrderType
from kefu.workorders.permissions import can_see

ORDERS_PER_PAGE = 25
# The order list shows how many rows match up to this number and "more than"
# beyond it: counting a million rows on every page would cost more than the page.
COUNT_CAP = 1000
INBOX_ROWS = 50
LIST_RELATED = ("state", "order_type", "customer", "department", "category", "category__parent")


def _order_or_404(user, pk):
    return get_object_or_404(
        services.visible_orders(user).select_related(
            *LIST_RELATED, "unit", "process", "assignee", "created_by", "callback_by"
        ),
        pk=pk,
    )


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


# Workbench (坐席工作台) ---------------------------------------------------


def _phone_typed(text):
    """The number the agent typed in the search box, if it is one."""
    text = (text or "").strip()
    if sum(c.isdigit() for c in text) >= 5 and phones.try_normalize(text):
        return text
    return ""


def _picked_customer(request):
    """The customer chosen on the workbench (``customer`` parameter), or None
    for an unknown caller; a customer outside the user's scope is a 404."""
    source = request.POST if request.method == "POST" else request.GET
    if not source.get("customer"):
        return None
    return get_object_or_404(
        customer_services.visible_customers(request.user).prefetch_related(
            "phones", "addresses", "products", "tags"
        ),
        pk=source["customer"],
    )


def _workbench_context(request, *, intake_form=None, customer_form=None):
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    customer = _picked_customer(request)
    phone = _phone_typed(source.get("phone"))
    if intake_form is None:
        initial = {"caller": phone, "contact_phone": phone}
        if customer is not None:
            initial["contact_name"] = customer.name
            address = next(iter(customer.addresses.all()), None)
            if address is not None:
                initial["location"] = str(address)
                initial["region"] = address.region
        intake_form = IntakeForm(initial=initial)
    if customer_form is None:
        customer_form = QuickCustomerForm(initial={"phone": phone})
    context = {
        "customer": customer,
        "phone": phone,
        "intake_form": intake_form,
        "customer_form": customer_form,
        "counts": services.agent_day_counts(user),
        "order_types": WorkOrderType.objects.filter(is_active=True),
    }
    if customer is not None:
        context["open_orders"] = (
            services.visible_orders(user)
            .filter(customer=customer, closed_at__isnull=True)
            .select_related("state", "order_type", "department")[:10]
        )
        context["recent_contacts"] = (
            visible_contacts(user).filter(customer=customer).select_related("agent")[:5]
        )
    return context


@center_staff_required
def workbench(request):
    return render(request, "workorders/workbench.html", _workbench_context(request))


@center_staff_required
def workbench_search(request):
    """Live customer search (htmx): phone in any format, name or product serial."""
    query = (request.GET.get("q") or "").strip()
    results = []
    if query:
        results = list(
            customer_services.search(request.user, query).prefetch_related("phones")[:10]
        )
    return render(
        request,
        "workorders/includes/search_results.html",
        {"query": query, "results": results, "phone": _phone_typed(query)},
    )


@center_staff_required
@require_POST
def workbench_customer(request):
    """Open a customer file for a caller who is not on file yet."""
    form = QuickCustomerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_services.create_customer(
                user=request.user,
                unit=request.user.unit,
                name=data["name"],
                phone_numbers=[data["phone"]],
                segment=data["segment"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Customer file created for %(name)s.") % {"name": customer.name}
            )
            query = f"?customer={customer.pk}"
            if data["phone"]:
                query += f"&phone={data['phone']}"
            return redirect(reverse("workorders:workbench") + query)
    context = _workbench_context(request, customer_form=form)
    context["customer_form_open"] = True
    return render(request, "workorders/workbench.html", context)


@center_staff_required
@require_POST
def workbench_intake(request):
    """Register the contact and, when asked, its work order, in one step."""
    context_customer = _picked_customer(request)
    form = IntakeForm(request.POST)
    if form.is_valid():
        try:
            contact, order = services.intake(
                user=request.user,
                unit=services.default_unit(request.user, context_customer),
                channel=form.cleaned_data["channel"],
                content=form.cleaned_data["content"],
                customer=context_customer,
                order=form.order_data(),
                contact_fields=form.contact_data(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if order is not None:
                messages.success(
                    request, _("Work order %(number)s registered.") % {"number": order.number}
                )
                return redirect("workorders:detail", pk=order.pk)
            messages.success(request, _("Contact registered."))
            query = f"?customer={context_customer.pk}" if context_customer else ""
            return redirect(reverse("workorders:workbench") + query)
    return render(
        request, "workorders/workbench.html", _workbench_context(request, intake_form=form)
    )


@login_required
def category_options(request):
    """The <option>s of the category select for the chosen type (htmx)."""
    order_type = WorkOrderType.objects.filter(pk=request.GET.get("order_type") or None).first()
    return render(
        request,
        "workorders/includes/category_options.html",
        {"categories": categories_for(order_type) if order_type else []},
    )


# Order list ---------------------------------------------------------------


@login_required
def order_list(request):
    user = request.user
    form = OrderFilterForm(request.GET or None, departments=services.departments_in_scope(user))
    orders = services.visible_orders(user).select_related(*LIST_RELATED)
    if form.is_bound and form.is_valid():
        criteria = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
        orders = services.filter_orders(orders, user=user, **criteria)
    # Newest first, on the (-created_at, -id) index. Paging is "previous/next"
    # without COUNT(*) (kefu.core.paging) and the total is counted only up to
    # COUNT_CAP, so every page stays cheap on a million rows.
    orders = orders.order_by("-created_at", "-id")
    page = paginate(orders, request.GET.get("page"), per_page=ORDERS_PER_PAGE)
    prefetch_clocks(page.items)
    total = orders.order_by()[: COUNT_CAP + 1].count()
    return render(
        request,
        "workorders/list.html",
        {
            "form": form,
            "page": page,
            "total": min(total, COUNT_CAP),
            "total_capped": total > COUNT_CAP,
            "filtered": form.is_bound,
        },
    )


# Order page ---------------------------------------------------------------


def _detail_context(request, order, **forms):
    user = request.user
    context = {
        "order": order,
        "actions": available_transitions(order, user),
        "events": _order_events(order),
        "notes": order.notes.select_related("author"),
        "attachments": order.attachments.select_related("uploaded_by"),
        "charges": order.charges.select_related("created_by", "billed_by"),
        "contacts": order.contacts.select_related("agent"),
        "template_values": printing.template_values(order),
        "printed_forms": printing.forms_at_step(order),
        "can_edit": services.can_edit(user, order),
        "can_bill": services.bills_charges(user),
        "note_form": forms.get("note_form") or NoteForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "charge_form": forms.get("charge_form") or ChargeForm(),
    }
    if order.customer_id:
        context["customer_phones"] = order.customer.phones.all()
    return context


def _order_events(order):
    events = list(events_for(order).select_related("content_type"))
    for event in events:
        event.subject = order  # the timeline reads it; spare a query per event
    return events


@login_required
def detail(request, pk):
    order = _order_or_404(request.user, pk)
    return render(request, "workorders/detail.html", _detail_context(request, order))


@login_required
def print_order(request, pk):
    """The printable work sheet (维修工作单) handed to the department."""
    order = _order_or_404(request.user, pk)
    return render(
        request,
        "workorders/print.html",
        {
            "order": order,
            "customer_phones": order.customer.phones.all() if order.customer_id else [],
        },
    )


@login_required
def print_form(request, pk, code):
    """A form of the order's process template, printed at its step (钥匙借用表 …)."""
    order = _order_or_404(request.user, pk)
    form = order.process.printed_form(code)
    if form is None:
        raise Http404(_("This process has no such form."))
    return render(
        request,
        "workorders/print_form.html",
        {
            "order": order,
            "title": localized(form, "title"),
            "rows": printing.printed_rows(order, form),
            "blanks": [localized(b) if isinstance(b, dict) else b for b in form.get("blanks", [])],
            "signatures": [
                localized(b) if isinstance(b, dict) else b for b in form.get("signatures", [])
            ],
            "footer": localized(form, "footer") if form.get("footer") else "",
            "copies": range(int(form.get("copies", 1) or 1)),
        },
    )


@login_required
def download_template_file(request, pk, name):
    """A file uploaded into a template field of the order."""
    order = _order_or_404(request.user, pk)
    stored = (order.data or {}).get(name)
    field = order.process.custom_field(name)
    if field is None or field.get("type") != "file" or not isinstance(stored, dict):
        raise Http404(_("There is no such file on this work order."))
    try:
        handle = default_storage.open(stored["path"], "rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=stored["name"])


def _styled(form_class, **kwargs):
    """The engine builds plain forms; give them the look of ours."""
    return type("StyledTransitionForm", (StyledFormMixin, form_class), {})(**kwargs)


def _modal(request, template, context):
    """A modal's content for htmx, or a whole page for a browser without it."""
    context["as_page"] = not is_htmx(request)
    return render(request, template, context)


def _modal_done(request, order):
    """After a modal form succeeds: reload the page the user is on, unless the
    order has just left their scope (a handler sent it back)."""
    target = None if can_see(request.user, order) else reverse("home")
    if not is_htmx(request):
        return redirect(target or reverse("workorders:detail", args=[order.pk]))
    if target:
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    return HttpResponse(status=204, headers={"HX-Refresh": "true"})


@login_required
def transition(request, pk, code):
    """One process action in a modal: its form, and taking it."""
    user = request.user
    order = _order_or_404(user, pk)
    action = get_object_or_404(Transition, definition_id=order.process_id, code=code)
    error, blocked = None, False
    if request.method == "POST":
        try:
            order = take_transition(order, code, user, request.POST, request.FILES)
        except TransitionError as exc:
            error = exc.message
            form = _styled(
                type(transition_form(order, action, user)), data=request.POST, files=request.FILES
            )
            for name, field_messages in exc.field_errors.items():
                if name in form.fields and name not in form.errors:
                    form.add_error(name, field_messages)
        else:
            messages.success(
                request,
                _("%(action)s: work order %(number)s is now “%(state)s”.")
                % {"action": action.label, "number": order.number, "state": order.state.label},
            )
            return _modal_done(request, order)
    else:
        blocked = action.pk not in {t.pk for t in available_transitions(order, user)}
        if blocked:
            error = _("“%(action)s” is not possible for you now.") % {"action": action.label}
        form = _styled(type(transition_form(order, action, user)))
    return _modal(
        request,
        "workorders/modals/transition.html",
        {"order": order, "action": action, "form": form, "error": error, "blocked": blocked},
    )


@login_required
def edit(request, pk):
    user = request.user
    order = _order_or_404(user, pk)
    if not services.can_edit(user, order):
        raise PermissionDenied(_("Only service-center staff can edit an open work order."))
    form = OrderEditForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_order(order, user=user, **form.changes())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Work order details saved."))
            return _modal_done(request, order)
    return _modal(request, "workorders/modals/edit.html", {"order": order, "form": form})


def _detail_with_errors(request, order, **forms):
    return render(request, "workorders/detail.html", _detail_context(request, order, **forms))


def _order_form_post(request, pk, form_class, form_key, save, success):
    """A form on the order page posted on its own: the service ``save``
    (order, user, cleaned data) writes it, its errors go back on the page."""
    order = _order_or_404(request.user, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            save(order, request.user, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("workorders:detail", pk=order.pk)
    return _detail_with_errors(request, order, **{form_key: form})


@login_required
@require_POST
def add_note(request, pk):
    return _order_form_post(
        request,
        pk,
        NoteForm,
        "note_form",
        lambda order, user, data: services.add_note(order, user=user, body=data["body"]),
        _("Note added."),
    )


@login_required
@require_POST
def add_attachment(request, pk):
    return _order_form_post(
        request,
        pk,
        AttachmentForm,
        "attachment_form",
        lambda order, user, data: services.add_attachment(order, user=user, upload=data["file"]),
        _("Attachment uploaded."),
    )


@login_required
def download_attachment(request, pk, attachment_pk):
    order = _order_or_404(request.user, pk)
    attachment = get_object_or_404(order.attachments, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def add_charge(request, pk):
    return _order_form_post(
        request,
        pk,
        ChargeForm,
        "charge_form",
        lambda order, user, data: services.add_charge(
            order, user=user, item=data["item"], amount=data["amount"]
        ),
        _("Charge recorded."),
    )


@login_required
@require_POST
def bill_charge(request, charge_pk):
    user = request.user
    charge = get_object_or_404(Charge.objects.select_related("work_order"), pk=charge_pk)
    if not (can_see(user, charge.work_order) or services.can_bill(user, charge)):
        raise Http404
    try:
        services.bill_charge(charge, user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Charge marked as billed."))
    if can_see(user, charge.work_order):
        default = reverse("workorders:detail", args=[charge.work_order_id])
    else:
        default = reverse("workorders:inbox")
    return redirect(_next_url(request, default))


# Department inbox (部门待办) ------------------------------------------------

RETURNED_TAB = "returned"


@login_required
def inbox(request):
    user = request.user
    if not (user.is_handler or user.is_supervising):
        raise PermissionDenied(_("The department inbox is for department staff and supervisors."))
    departments = services.inbox_departments(user)
    department = None
    if request.GET.get("department"):
        department = get_object_or_404(departments, pk=request.GET["department"])
    queue = services.department_queue(user, department)
    tabs = _state_counts(queue)
    returned = services.recently_returned(user, department)
    tabs.append({"key": RETURNED_TAB, "label": _("Recently returned"), "count": returned.count()})
    active = request.GET.get("tab") or (tabs[0]["key"] if tabs[0]["count"] else RETURNED_TAB)
    rows = returned if active == RETURNED_TAB else queue.filter(state__code=active)
    rows = list(rows.select_related(*LIST_RELATED, "assignee")[:INBOX_ROWS])
    for order in rows:
        order.actions = available_transitions(order, user)
    return render(
        request,
        "workorders/inbox.html",
        {
            "tabs": tabs,
            "active": active,
            "rows": rows,
            "departments": departments if departments.count() > 1 else None,
            "department": department,
            "charges": services.charges_to_bill(user)[:INBOX_ROWS],
            "can_bill": services.bills_charges(user),
        },
    )


def _state_counts(queue):
    """Open orders per state, in process order, labelled in the user's language
    (states of several process versions that share a code are counted together)."""
    counts = dict(queue.order_by().values_list("state").annotate(count=Count("id")))
    merged = {}
    for state in State.objects.filter(pk__in=counts).order_by("position"):
        entry = merged.setdefault(state.code, {"key": state.code, "label": state.label, "count": 0})
        entry["count"] += counts[state.pk]
    return list(merged.values())
