from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import Department
from kefu.sla.models import SUBJECT_CONDITIONS, Metric, SlaPolicy
from kefu.sla.reports import GROUPS


def departments_visible_to(user):
    departments = Department.objects.filter(is_active=True).select_related("unit")
    if user.is_superuser:
        return departments
    if user.is_handler:
        return departments.filter(pk=user.department_id)
    return departments.filter(Q(unit__in=user.unit.subtree()) | Q(unit__in=user.unit.ancestors()))


class SlaPolicyForm(forms.ModelForm):
    """The policy editor: conditions must name known values and suit what
    the policy applies to (a complaint has no order type, an order no severity)."""

    LIST_CONDITIONS = ("priorities", "segments", "channels", "severities")

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "subject",
            "position",
            "is_active",
            "order_types",
            "categories",
            "units",
            "priorities",
            "segments",
            "channels",
            "severities",
            "first_response_minutes",
            "next_update_minutes",
            "resolution_minutes",
            "outside_reply_minutes",
            "outside_close_minutes",
            "business_time",
            "warn_percent",
        ]

    def clean(self):
        data = super().clean()
        for field in self.LIST_CONDITIONS:
            values = data.get(field)
            if values in (None, ""):
                continue
            allowed = {value for value, _label in SlaPolicy.choices_for(field)}
            if not isinstance(values, list) or not set(values) <= allowed:
                self.add_error(
                    field,
                    _("Give a list of these values: %(values)s.")
                    % {"values": ", ".join(sorted(allowed))},
                )
        subject = data.get("subject")
        for other, fields in SUBJECT_CONDITIONS.items():
            if other == subject:
                continue
            for field in fields:
                if data.get(field) and field in self.fields:
                    self.add_error(
                        field,
                        _("This condition does not apply to %(subject)s.")
                        % {"subject": SlaPolicy(subject=subject).get_subject_display()},
                    )
        return data


class AtRiskFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("At risk and breached")),
            ("at_risk", _("At risk")),
            ("breached", _("Breached")),
        ],
    )
    metric = forms.ChoiceField(
        label=_("Metric"), required=False, choices=[("", _("All metrics")), *Metric.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("All departments"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_visible_to(user)


class ReportFilter(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(
        label=_("Group by"), choices=[(k, v[1]) for k, v in GROUPS.items()]
    )
    metric = forms.ChoiceField(
        label=_("Metric"), required=False, choices=[("", _("All metrics")), *Metric.choices]
    )

    @classmethod
    def initial_values(cls):
        today = timezone.localdate()
        return {
            "date_from": today - timedelta(days=90),
            "date_to": today,
            "group_by": "month",
            "metric": "",
        }

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (
            data.get("date_from")
            and data.get("date_to")
            and (data["date_to"] - data["date_from"]).days > 800
        ):
            raise forms.ValidationError(_("Choose a period of at most two years."))
        return data


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Corrective action"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
