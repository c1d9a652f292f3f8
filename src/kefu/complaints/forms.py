"""Web forms of the complaint pages. They only read input; the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.complaints.models import Compensation, Complaint, ComplaintCategory
from kefu.core import scoping
from kefu.core.choices import Satisfaction
from kefu.core.forms import StyledFormMixin
from kefu.core.models import User
from kefu.customers.services import visible_customers
from kefu.workorders.services import visible_orders


class ComplaintFilter(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), ("open", _("Open")), *Complaint.Status.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("All severities")), *Complaint.Severity.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=ComplaintCategory.objects.all(),
        empty_label=_("All categories"),
    )


class RegisterForm(StyledFormMixin, forms.Form):
    """客户投诉登记表."""

    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=None, widget=forms.HiddenInput
    )
    complainant_name = forms.CharField(label=_("Complainant"), required=False, max_length=100)
    complainant_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    create_customer_file = forms.BooleanField(
        label=_("Create a customer file for the complainant"), required=False
    )
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Complaint.Channel.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ComplaintCategory.objects.filter(is_active=True)
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Complaint.Severity.choices)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    against_department = forms.ModelChoiceField(
        label=_("Department complained about"), required=False, queryset=None
    )
    against_person = forms.CharField(
        label=_("Person complained about"), required=False, max_length=100
    )
    expected_resolution = forms.CharField(
        label=_("Expected resolution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    work_order = forms.ModelChoiceField(
        label=_("Work order"),
        required=False,
        queryset=None,
        to_field_name="number",
        widget=forms.TextInput(attrs={"placeholder": "GD20260101-0001"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = visible_customers(user)
        self.fields["against_department"].queryset = scoping.visible_departments(user)
        self.fields["work_order"].queryset = visible_orders(user)
        self.fields["work_order"].error_messages["invalid_choice"] = _(
            "No work order with this number."
        )


class UnjustifiedForm(StyledFormMixin, forms.Form):
    explanation = forms.CharField(
        label=_("Explanation to the customer"), widget=forms.Textarea(attrs={"rows": 3})
    )


class JustifiedForm(StyledFormMixin, forms.Form):
    responsible_department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=None
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=100
    )
    apology = forms.CharField(label=_("Apology"), widget=forms.Textarea(attrs={"rows": 2}))
    investigation_days = forms.IntegerField(
        label=_("Investigation time (days)"), min_value=1, max_value=60, initial=2
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_department"].queryset = scoping.visible_departments(user)


class PlanForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    content = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scoping.visible_departments(user)


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class CompensationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Compensation.Kind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ResultForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(StyledFormMixin, forms.Form):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    note = forms.CharField(label=_("What the customer said"), required=False)


class RootCauseForm(StyledFormMixin, forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = scoping.scope_by_unit(
            User.objects.filter(is_active=True).order_by("username"), user
        )


class VerifyForm(StyledFormMixin, forms.Form):
    verification = forms.CharField(
        label=_("Verification"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    """An action without input: the button is the confirmation."""
