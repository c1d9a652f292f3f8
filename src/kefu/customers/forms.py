"""Web forms of the customer files. They only read and check input; the
services in ``kefu.customers.services`` write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core import scoping
from kefu.core.forms import StyledFormMixin
from kefu.core.models import OrgUnit
from kefu.customers import phones
from kefu.customers.models import Address, Customer, Product, Segment, Tag
from kefu.customers.services import ADDRESS_FIELDS, PRODUCT_FIELDS

CUSTOMER_FIELDS = ("name", "kind", "segment", "contact_person", "email", "tags", "notes")


class CustomerListFilter(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Phone number, name or serial number"), "type": "search"}
        ),
    )
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, choices=[("", _("All segments")), *Segment.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Persons and companies")), *Customer.Kind.choices],
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), required=False, queryset=Tag.objects.all(), empty_label=_("All tags")
    )


class CustomerForm(StyledFormMixin, forms.ModelForm):
    """The customer's own fields; when creating, also the unit it belongs to."""

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        labels = {"name": _("Customer name")}
        widgets = {
            "tags": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].widget.attrs["class"] = "form-selectgroup-input"
        if self.instance.pk is None:
            units = OrgUnit.objects.filter(is_active=True)
            self.fields["unit"] = forms.ModelChoiceField(
                label=_("Unit"),
                queryset=scoping.scope_by_unit(units, user, field="pk"),
                initial=user.unit_id,
                empty_label=None,
                help_text=_("The service center or project the customer belongs to."),
            )
            self.fields["unit"].widget.attrs["class"] = "form-select"
            self.order_fields(["name", "kind", "segment", "unit"])


class PhoneForm(StyledFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 138 1234 5678 or 010-6552 8888")}),
    )

    def clean_number(self):
        raw = self.cleaned_data["number"].strip()
        if not raw:
            return ""
        return phones.normalize(raw)


PhoneFormSet = forms.formset_factory(PhoneForm, extra=1)


class RemovePhonesForm(forms.Form):
    """Existing numbers stay masked on the edit form: they can be removed,
    and new ones added, but never read there."""

    remove = forms.ModelMultipleChoiceField(
        label=_("Remove"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = customer.phones.all()


class AddressForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Address
        fields = ADDRESS_FIELDS


class ProductForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = PRODUCT_FIELDS
        widgets = {"purchase_date": forms.DateInput(attrs={"type": "date"})}


AddressFormSet = forms.inlineformset_factory(
    Customer, Address, form=AddressForm, extra=1, can_delete=True
)
ProductFormSet = forms.inlineformset_factory(
    Customer, Product, form=ProductForm, extra=1, can_delete=True
)


def formset_rows(formset, fields):
    """The rows of an address/product formset as the services take them:
    existing rows with their ``id``, new rows only when something was typed,
    deleted rows left out."""
    rows = []
    for form in formset.forms:
        if form.cleaned_data.get("DELETE"):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        row = {name: form.cleaned_data.get(name) for name in fields}
        if form.instance.pk is not None:
            row["id"] = form.instance.pk
        rows.append(row)
    return rows


def phone_numbers(phone_formset, existing=(), removed=()):
    """The numbers to keep (existing ones not removed, in their order) followed
    by the new ones typed, for ``create_customer``/``update_customer``."""
    removed = {p.pk for p in removed}
    numbers = [p.number for p in existing if p.pk not in removed]
    for form in phone_formset.forms:
        number = form.cleaned_data.get("number")
        if number and number not in numbers:
            numbers.append(number)
    return numbers


def check_all(*forms_):
    """Validate every form and formset (all of them, so every error shows)."""
    results = [f.is_valid() for f in forms_]
    return all(results)
