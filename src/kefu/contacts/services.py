"""Recording contacts (来电/接待登记)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.contacts.models import Contact
from kefu.core import scoping, timeline


def visible_contacts(user):
    return scoping.scope_by_unit(Contact.objects.all(), user)


@transaction.atomic
def register_contact(*, user, unit, channel, content, customer=None, **fields) -> Contact:
    if not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot register contacts in this unit."))
    if customer is not None and not scoping.can_see_unit(user, customer.unit):
        raise PermissionDenied(_("You cannot see this customer."))
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": [_("Describe what the customer said or asked.")]})
    contact = Contact(
        unit=unit, channel=channel, content=content, customer=customer, agent=user, **fields
    )
    contact.full_clean(exclude=["agent", "work_order"])
    contact.save()
    timeline.record(
        contact,
        "contact.registered",
        actor=user,
        customer=customer,
        message=_("%(channel)s contact registered") % {"channel": contact.get_channel_display()},
        after={"channel": channel, "content": content[:200]},
    )
    return contact
