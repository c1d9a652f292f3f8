"""Filters of the contact list."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core import scoping
from kefu.core.choices import Channel
from kefu.core.forms import StyledFormMixin
from kefu.core.models import User
from kefu.core.roles import CENTER_ROLES


class ContactFilter(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Content or caller"), "type": "search"}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), required=False, queryset=User.objects.none(), empty_label=_("All agents")
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agents = User.objects.filter(role__in=CENTER_ROLES, is_active=True)
        self.fields["agent"].queryset = scoping.scope_by_unit(agents, user).order_by(
            "agent_no", "username"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def apply(self, contacts):
        """Narrow ``contacts`` (already scoped to the user) by the filters;
        an invalid one is reported on the form and left out, the others apply."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            contacts = contacts.filter(
                Q(content__icontains=data["q"]) | Q(caller__icontains=data["q"])
            )
        if data.get("channel"):
            contacts = contacts.filter(channel=data["channel"])
        if data.get("date_from"):
            contacts = contacts.filter(occurred_at__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            contacts = contacts.filter(
                occurred_at__lt=_day_start(data["date_to"] + timedelta(days=1))
            )
        if data.get("agent"):
            contacts = contacts.filter(agent=data["agent"])
        if data.get("customer"):
            contacts = contacts.filter(customer_id=data["customer"])
        return contacts


def _day_start(day):
    # A range on the indexed column itself, not a __date lookup that the
    # database would have to compute for every row.
    return timezone.make_aware(datetime.combine(day, time.min))
