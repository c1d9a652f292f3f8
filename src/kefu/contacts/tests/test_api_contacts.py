"""The contact-record API: register, list with filters, read; scoped."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from kefu.api_tests import client_for
from kefu.contacts.models import Contact
from kefu.contacts.services import register_contact
from kefu.core.models import TimelineEvent
from kefu.factories import CustomerFactory

URL = "/api/contacts/"


@pytest.fixture
def agent(users):
    return client_for(users["agent"])


def contact(user, unit, **fields):
    fields.setdefault("channel", "phone")
    fields.setdefault("content", "咨询物业费")
    return register_contact(user=user, unit=unit, **fields)


def test_register_contact(agent, users, customer):
    response = agent.post(
        URL,
        {
            "channel": "phone",
            "customer": customer.pk,
            "caller": "13812345678",
            "region": "东区",
            "content": "  询问停水时间  ",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert data["agent"]["username"] == "agent_east" and data["unit"]["code"] == "east"
    assert data["customer"]["name"] == "张伟" and data["content"] == "询问停水时间"
    assert data["caller"] == "138****5678" and data["channel"] == "phone"
    saved = Contact.objects.get()
    assert saved.caller == "13812345678" and saved.agent == users["agent"]
    assert TimelineEvent.objects.get(verb="contact.registered").customer == customer


def test_register_contact_of_unknown_caller_defaults_to_users_unit(users):
    response = client_for(users["agent_west"]).post(
        URL, {"channel": "wechat", "content": "问营业时间", "direction": "inbound"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["unit"]["code"] == "west" and response.data["customer"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "channel"),
        ({"channel": "phone"}, "content"),
        ({"channel": "phone", "content": "   "}, "content"),
        ({"channel": "pigeon", "content": "x"}, "channel"),
        ({"channel": "phone", "content": "x", "direction": "sideways"}, "direction"),
        ({"channel": "phone", "content": "x", "customer": "abc"}, "customer"),
        ({"channel": "phone", "content": "x", "occurred_at": "yesterday"}, "occurred_at"),
        ({"channel": "phone", "content": "x", "occurred_at": "1999-12-31T12:00:00"}, "occurred_at"),
        ({"channel": "phone", "content": "x\x00"}, "content"),
        ({"channel": "phone", "content": "x", "unit": 999999}, "unit"),
        ({"channel": "phone", "content": {"text": "x"}}, "content"),
    ],
)
def test_register_malformed(agent, body, field):
    response = agent.post(URL, body, format="json")
    assert response.status_code == 400 and field in response.data, response.data
    assert not Contact.objects.exists() and not TimelineEvent.objects.exists()


def test_register_for_customer_out_of_scope(users, customer):
    response = client_for(users["agent_west"]).post(
        URL, {"channel": "phone", "content": "x", "customer": customer.pk}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.data
    assert not Contact.objects.exists()


def test_register_invalid_json(agent):
    response = agent.generic("POST", URL, "channel=phone", content_type="application/json")
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_list_filters_and_scope(agent, users, org, customer):
    now = timezone.now()
    phone = contact(users["agent"], org["east"], customer=customer)
    email = contact(
        users["agent"], org["east"], channel="email", occurred_at=now - timedelta(days=10)
    )
    contact(users["agent_west"], org["west"], customer=CustomerFactory(unit=org["west"]))

    def ids(**params):
        response = agent.get(URL, params)
        assert response.status_code == 200, response.data
        return [c["id"] for c in response.data["results"]]

    assert ids() == [phone.pk, email.pk]
    assert ids(channel="email") == [email.pk]
    assert ids(customer=customer.pk) == [phone.pk]
    assert ids(agent=users["agent"].pk) == [phone.pk, email.pk]
    day = timezone.localdate(now - timedelta(days=10)).isoformat()
    assert ids(occurred_after=day, occurred_before=day) == [email.pk]
    assert ids(occurred_after=timezone.localdate(now).isoformat()) == [phone.pk]


def test_list_is_cursor_paged(agent, users, org):
    start = timezone.make_aware(datetime(2026, 11, 1, 9))
    for i in range(5):
        contact(users["agent"], org["east"], occurred_at=start + timedelta(minutes=i))
    first = agent.get(URL, {"page_size": 2})
    second = agent.get(first.data["next"])
    third = agent.get(second.data["next"])
    seen = [c["id"] for page in (first, second, third) for c in page.data["results"]]
    assert len(seen) == 5 and len(set(seen)) == 5 and third.data["next"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"channel": "pigeon"},
        {"customer": "x"},
        {"occurred_after": "2026-13-45"},
        {"occurred_after": "0001-01-01"},
        {"occurred_before": "9999-12-31"},
        {"agent": "-1"},
    ],
)
def test_list_malformed_filters(agent, params):
    assert agent.get(URL, params).status_code == 400


def test_retrieve_scoped(agent, users, org):
    east = contact(users["agent"], org["east"])
    assert agent.get(f"{URL}{east.pk}/").data["content"] == "咨询物业费"
    assert client_for(users["agent_west"]).get(f"{URL}{east.pk}/").status_code == 404
