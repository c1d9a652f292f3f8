"""Forms of the work-order pages. They only read and check input; the rules
(what may be registered, edited or billed) are in ``kefu.workorders.services``,
whose ValidationErrors go back on the form with ``kefu.core.forms.apply_errors``."""

from django import forms
from django.forms.models import model_to_dict
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Channel
from kefu.core.forms import StyledFormMixin
from kefu.customers.models import Segment
from kefu.processes.models import State
from kefu.workorders.models import Category, Priority, WorkOrder, WorkOrderType

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def datetime_field(label, required=False):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


def categories_for(order_type):
    """The categories offered for ``order_type`` (and the type-less ones)."""
    qs = Category.objects.select_related("parent")
    if order_type is None:
        return qs.filter(order_type__isnull=True)
    return qs.filter(order_type__in=[order_type]) | qs.filter(order_type__isnull=True)


class QuickCustomerForm(StyledFormMixin, forms.Form):
    """A caller not on file yet: just enough to open a customer file."""

    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices, initial=Segment.NEW)


class IntakeForm(StyledFormMixin, forms.Form):
    """The workbench's one form: the contact record and, optionally, the work
    order it leads to."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    caller = forms.CharField(
        label=_("Caller"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Number, address or name")}),
    )
    region = forms.CharField(label=_("Area"), max_length=100, required=False)
    content = forms.CharField(
        label=_("What the customer says"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe what the customer said or asked.")},
    )
    create_order = forms.BooleanField(label=_("Create a work order"), required=False, initial=True)
    order_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=WorkOrderType.objects.filter(is_active=True),
        required=False,
        empty_label=_("Choose the type"),
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Type default")), *Priority.choices], required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    appointment_at = datetime_field(_("Appointment"))
    contact_name = forms.CharField(label=_("Contact name"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)

    ORDER_FIELD_NAMES = (
        "order_type",
        "category",
        "priority",
        "title",
        "location",
        "appointment_at",
        "contact_name",
        "contact_phone",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order_type = None
        if self.is_bound:
            order_type = WorkOrderType.objects.filter(
                pk=self.data.get("order_type") or None
            ).first()
        self.fields["category"].queryset = categories_for(order_type)
        # Choosing the type reloads the category choices.
        self.fields["order_type"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("workorders:category_options"),
                "hx-target": "#id_category",
                "hx-trigger": "change",
            }
        )

    def clean(self):
        data = super().clean()
        if data.get("create_order") and not data.get("order_type"):
            self.add_error("order_type", _("Choose the work-order type."))
        return data

    def order_data(self):
        """The work-order part for ``services.intake``, or None for a contact only."""
        data = self.cleaned_data
        if not data.get("create_order"):
            return None
        # An empty priority means the type's default (the service's rule).
        return {name: data[name] for name in self.ORDER_FIELD_NAMES}

    def contact_data(self):
        return {name: self.cleaned_data[name] for name in ("caller", "region")}


def _label(name):
    return WorkOrder._meta.get_field(name).verbose_name


class OrderEditForm(StyledFormMixin, forms.Form):
    """The basic fields center staff may correct while the order is open."""

    title = forms.CharField(label=_label("title"), max_length=200)
    description = forms.CharField(
        label=_label("description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = CategoryChoiceField(
        label=_label("category"), queryset=Category.objects.none(), required=False
    )
    priority = forms.ChoiceField(label=_label("priority"), choices=Priority.choices)
    location = forms.CharField(label=_label("location"), max_length=255, required=False)
    appointment_at = datetime_field(_label("appointment_at"))
    contact_name = forms.CharField(label=_label("contact_name"), max_length=60, required=False)
    # Any written form of the number is accepted: the service normalises it.
    contact_phone = forms.CharField(label=_label("contact_phone"), max_length=40, required=False)

    def __init__(self, *args, order, **kwargs):
        kwargs.setdefault("initial", model_to_dict(order, fields=list(self.base_fields)))
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_for(order.order_type)

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.fields}


class NoteForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("The note is empty.")},
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to upload.")}
    )


class ChargeForm(StyledFormMixin, forms.Form):
    item = forms.CharField(label=_("Item"), max_length=100)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=0.01
    )


def state_choices():
    """One choice per state code across process definitions and versions."""
    labels = {}
    for state in State.objects.order_by("definition_id", "position"):
        labels.setdefault(state.code, state.label)
    return [("", _("All states")), *labels.items()]


class OrderFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    order_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=WorkOrderType.objects.all(),
        required=False,
        empty_label=_("All types"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("All priorities")), *Priority.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    date_from = forms.DateField(
        label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Mine"), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = state_choices()
        self.fields["department"].queryset = departments

    def choice_fields(self):
        """The drop-down filters, laid out in one row on the list page."""
        return [self[name] for name in ("state", "order_type", "priority", "department", "channel")]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
