from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kefu.contacts.models import Contact
from kefu.contacts.services import register_contact, visible_contacts
from kefu.core.choices import Channel
from kefu.core.models import TimelineEvent
from kefu.core.timeline import events_for, events_for_customer
from kefu.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def register(user, unit, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("content", "厨房水管漏水，请派人维修")
    return register_contact(user=user, unit=unit, **kwargs)


def test_register_contact_for_a_customer(users, org, customer):
    with translation.override("en"):
        contact = register(
            users["agent"],
            org["east"],
            customer=customer,
            content="  咨询物业费标准  ",
            caller="13812345678",
            region="上海市浦东新区",
        )
    contact.refresh_from_db()
    assert contact.content == "咨询物业费标准" and contact.agent == users["agent"]
    assert contact.customer == customer and contact.work_order is None
    assert contact.caller == "13812345678" and contact.region == "上海市浦东新区"
    (event,) = events_for(contact)
    assert event.verb == "contact.registered" and event.actor == users["agent"]
    assert event.customer == customer and event.message == "Phone contact registered"
    assert event.after == {"channel": "phone", "content": "咨询物业费标准"}
    assert list(events_for_customer(customer)) == [event]


def test_register_contact_without_customer(users, org):
    contact = register(users["agent"], org["east"], channel=Channel.WALK_IN)
    assert contact.customer is None and contact.channel == "walk_in"
    assert events_for(contact).get().customer is None


def test_long_content_is_kept_whole_and_shortened_on_the_timeline(users, org):
    content = "漏" * 500
    contact = register(users["agent"], org["east"], content=content)
    assert Contact.objects.get().content == content
    assert events_for(contact).get().after["content"] == "漏" * 200


def test_time_of_contact_may_be_given(users, org):
    when = timezone.now() - timedelta(hours=2)
    contact = register(users["agent"], org["east"], occurred_at=when)
    assert contact.occurred_at == when


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"content": "   "}, "content"),
        ({"content": None}, "content"),
        ({"channel": "pigeon"}, "channel"),
        ({"channel": ""}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"occurred_at": "昨天下午"}, "occurred_at"),
        ({"region": "区" * 101}, "region"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(users, org, kwargs, field):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        register(users["agent"], org["east"], **kwargs)
    assert field in err.value.message_dict
    assert not Contact.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_out_of_scope_unit_or_customer_is_refused(users, org, customer):
    with pytest.raises(PermissionDenied):
        register(users["agent_west"], org["east"])
    with pytest.raises(PermissionDenied):
        register(users["agent_west"], org["west"], customer=customer)
    with pytest.raises(PermissionDenied):
        register(UserFactory(unit=None), org["east"])
    assert not Contact.objects.exists()


def test_headquarters_registers_for_a_child_unit(users, org, customer):
    contact = register(users["manager"], org["east"], customer=customer)
    assert contact.unit == org["east"]


def test_visible_contacts_are_scoped(users, org, customer):
    east = register(users["agent"], org["east"], customer=customer)
    west = register(users["agent_west"], org["west"], customer=CustomerFactory(unit=org["west"]))
    assert list(visible_contacts(users["agent"])) == [east]
    assert list(visible_contacts(users["agent_west"])) == [west]
    assert set(visible_contacts(users["manager"])) == {east, west}
    assert not visible_contacts(UserFactory(unit=None)).exists()
