"""The call-record filter of the desk."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import StyledFormMixin
from kefu.core.models import User
from kefu.core.scoping import scope_by_unit
from kefu.telephony import conduct
from kefu.telephony.models import Call
from kefu.telephony.services import visible_queues

LONGEST_RANGE_DAYS = 366


class CallRecordFilter(StyledFormMixin, forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), required=False, queryset=None, empty_label=_("All queues")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), required=False, queryset=None, empty_label=_("All agents")
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("Both directions")), *Call.Direction.choices],
    )
    disposition = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("All outcomes")), *Call.Disposition.choices],
    )
    conduct = forms.ChoiceField(
        label=_("Conduct"),
        required=False,
        choices=[
            ("", _("Any conduct")),
            *((name, label) for name, (label, _rule) in conduct.BREACHES.items()),
        ],
    )
    number = forms.CharField(label=_("Phone number"), required=False, max_length=40)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["queue"].queryset = visible_queues(user).order_by("unit__path", "code")
        agents = User.objects.filter(is_active=True, phone_state__isnull=False).distinct()
        if user.is_supervising:
            self.fields["agent"].queryset = scope_by_unit(agents, user).order_by("agent_no")
        else:
            del self.fields["agent"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end is before the start."))
            elif (end - start).days > LONGEST_RANGE_DAYS:
                self.add_error("date_to", _("Choose at most a year."))
        return data
