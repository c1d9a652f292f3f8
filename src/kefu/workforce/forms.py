import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Channel
from kefu.core.scoping import scope_by_unit
from kefu.telephony.models import Queue

from . import rosters
from .models import EntryExam, LeaveRequest, Probation, ShiftTemplate


def _style(form):
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


def next_monday(today=None):
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7)


class ForecastForm(forms.Form):
    queue = forms.ModelChoiceField(Queue.objects.none(), label=_("queue"), required=False)
    channel = forms.ChoiceField(
        label=_("or channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    starts_on = forms.DateField(label=_("first day"), initial=next_monday)
    days = forms.IntegerField(label=_("days"), initial=7, min_value=1, max_value=31)
    interval_minutes = forms.TypedChoiceField(
        label=_("interval (minutes)"),
        choices=[(15, 15), (30, 30), (60, 60)],
        coerce=int,
        initial=30,
    )
    history_weeks = forms.IntegerField(
        label=_("weeks of history"), initial=8, min_value=1, max_value=52
    )
    shrinkage = forms.FloatField(label=_("shrinkage"), initial=0.3, min_value=0, max_value=0.89)
    max_occupancy = forms.FloatField(
        label=_("maximum occupancy"), initial=0.9, min_value=0.1, max_value=1
    )
    patience_seconds = forms.IntegerField(
        label=_("caller patience (seconds)"),
        required=False,
        min_value=1,
        help_text=_("Empty: Erlang C; otherwise Erlang A with this mean patience."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = scope_by_unit(Queue.objects.filter(is_active=True), user)


class LeaveForm(forms.ModelForm):
    class Meta:
        model = LeaveRequest
        fields = ["kind", "starts_at", "ends_at", "reason"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            c for c in LeaveRequest.Kind.choices if c[0] != LeaveRequest.Kind.ABSENCE
        ]
        _style(self)


class ExamForm(forms.ModelForm):
    agent = forms.ModelChoiceField(get_user_model().objects.none(), label=_("agent"))

    class Meta:
        model = EntryExam
        fields = ["agent", "taken_on", "written", "oral", "system", "conduct"]
        widgets = {"taken_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents
        _style(self)


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[c for c in Probation.Status.choices if c[0] != Probation.Status.ON_PROBATION],
    )
    note = forms.CharField(label=_("review"), widget=forms.Textarea(attrs={"rows": 2}))


class ShiftTemplateForm(forms.ModelForm):
    """The fields of a shift template a planner sets; the unit is the
    page's (``rosters.save_template`` checks the code within it)."""

    class Meta:
        model = ShiftTemplate
        fields = list(rosters.TEMPLATE_FIELDS)
        widgets = {
            # Tabler's colours, which the roster's badges take.
            "colour": forms.Select(
                choices=[
                    (c, c)
                    for c in [
                        "blue",
                        "azure",
                        "indigo",
                        "purple",
                        "pink",
                        "red",
                        "orange",
                        "yellow",
                        "lime",
                        "green",
                        "teal",
                        "cyan",
                    ]
                ]
            ),
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {"end": _("At or before the start: the shift ends the next day.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"
