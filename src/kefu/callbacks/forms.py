from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.callbacks.models import SpotCheck
from kefu.core.choices import Satisfaction
from kefu.core.models import User
from kefu.core.roles import Role

TEXT = {"class": "form-control", "rows": 2}


class ResultForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Customer reached"),
        choices=[("1", _("Yes")), ("0", _("No answer / not reachable"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—"), *Satisfaction.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    content = forms.CharField(
        label=_("What the customer said"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    suggestions = forms.CharField(
        label=_("Suggestions / what to improve"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    problem = forms.CharField(
        label=_("Problem raised by the customer"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("Solved within one business day, or it becomes a work order."),
    )
    problem_solved = forms.BooleanField(
        label=_("Solved during the call"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SolveForm(forms.Form):
    note = forms.CharField(label=_("How it was solved"), widget=forms.Textarea(attrs=TEXT))


def agent_choices(user):
    from kefu.core import scoping

    return scoping.scope_by_unit(
        User.objects.filter(
            is_active=True, role__in=[Role.CALLBACK_AGENT, Role.AGENT, Role.SENIOR_AGENT]
        ),
        user,
    ).order_by("username")


class DistributeForm(forms.Form):
    agents = forms.ModelMultipleChoiceField(
        label=_("Callback agents"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = agent_choices(user)


class SpotCheckPickForm(forms.Form):
    count = forms.IntegerField(
        label=_("Callbacks to check"),
        min_value=1,
        max_value=200,
        initial=5,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class SpotCheckForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in SpotCheck.Outcome.choices if c[0] != SpotCheck.Outcome.PENDING],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month", "class": "form-control"}),
    )
