"""Web forms of the complaint pages; the services do the checking."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core import scoping
from kefu.core.choices import Satisfaction
from kefu.core.forms import StyledFormMixin
from kefu.core.models import OrgUnit, User
from kefu.customers.models import Customer
from kefu.workorders.models import WorkOrder

from .models import Category, Channel, Complaint, Severity


class RegisterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(OrgUnit.objects.none(), label=_("unit"))
    customer = forms.ModelChoiceField(
        Customer.objects.none(), label=_("customer"), required=False, widget=forms.HiddenInput
    )
    complainant_name = forms.CharField(label=_("complainant"), max_length=100, required=False)
    complainant_phone = forms.CharField(
        label=_("complainant's phone"), max_length=40, required=False
    )
    create_customer = forms.BooleanField(label=_("Create a customer file"), required=False)
    received_at = forms.DateTimeField(
        label=_("received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 4}))
    accused_department = forms.ModelChoiceField(
        None, label=_("department complained about"), required=False
    )
    accused_person = forms.CharField(
        label=_("person complained about"), max_length=100, required=False
    )
    expected_resolution = forms.CharField(
        label=_("expected resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    work_order = forms.CharField(label=_("work order number"), max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.scope_by_unit(OrgUnit.objects.all(), user, "pk")
        self.fields["customer"].queryset = scoping.scope_by_unit(Customer.objects.all(), user)
        self.fields["accused_department"].queryset = scoping.visible_departments(user)
        if user.unit_id:
            self.fields["unit"].initial = user.unit_id

    def clean_work_order(self):
        number = self.cleaned_data["work_order"].strip()
        if not number:
            return None
        order = scoping.scope_by_unit(WorkOrder.objects.filter(number=number), self.user).first()
        if order is None:
            raise forms.ValidationError(_("No work order with this number in your units."))
        return order


class JudgeForm(StyledFormMixin, forms.Form):
    justified = forms.TypedChoiceField(
        label=_("judgement"),
        choices=[("1", _("Justified (the company is responsible)")), ("0", _("Unjustified"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("explanation to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible_department = forms.ModelChoiceField(
        None, label=_("responsible department"), required=False
    )
    responsible_person = forms.CharField(
        label=_("responsible person"), max_length=100, required=False
    )
    apology = forms.CharField(
        label=_("apology"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    promised_days = forms.IntegerField(
        label=_("investigation time (days)"), required=False, min_value=1
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_department"].queryset = scoping.visible_departments(user)


class PlanForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(None, label=_("department"))
    proposal = forms.CharField(label=_("proposal"), widget=forms.Textarea(attrs={"rows": 2}))
    compensation_kind = forms.CharField(label=_("compensation"), max_length=100, required=False)
    compensation_amount = forms.DecimalField(
        label=_("compensation amount"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scoping.visible_departments(user)
        if user.is_handler and user.department_id:
            self.fields["department"].initial = user.department_id


class DecideForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    comment = forms.CharField(
        label=_("instruction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResultForm(StyledFormMixin, forms.Form):
    result = forms.CharField(
        label=_("result given to the customer"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CallbackForm(StyledFormMixin, forms.Form):
    satisfaction = forms.ChoiceField(label=_("satisfaction"), choices=Satisfaction.choices)
    note = forms.CharField(
        label=_("callback note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RootCauseForm(StyledFormMixin, forms.Form):
    root_cause = forms.CharField(label=_("root cause"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        label=_("corrective action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(None, label=_("owner"))
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = scoping.scope_by_unit(
            User.objects.filter(is_active=True), user
        ).order_by("username")


class VerifyForm(StyledFormMixin, forms.Form):
    verification = forms.CharField(
        label=_("verification"), widget=forms.Textarea(attrs={"rows": 2})
    )


class FilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", "---------"), *Complaint.Status.choices]
    )
    severity = forms.ChoiceField(
        label=_("severity"), required=False, choices=[("", "---------"), *Severity.choices]
    )
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", "---------"), *Category.choices]
    )
