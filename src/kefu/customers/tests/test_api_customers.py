"""The customer API: list/search with masked numbers, create and change with
phones/addresses/products/tags, caller-ID lookup, reveal, timeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.api_tests import client_for
from kefu.core.models import AccessLog, TimelineEvent
from kefu.customers.models import Address, Customer, Phone, Product, Segment, Tag
from kefu.factories import CustomerFactory, PhoneFactory

URL = "/api/customers/"


@pytest.fixture
def agent(users):
    return client_for(users["agent"])


@pytest.fixture
def vip(db):
    return Tag.objects.create(name="VIP")


@pytest.fixture
def west_customer(org):
    customer = CustomerFactory(unit=org["west"], name="李娜")
    PhoneFactory(customer=customer, number="+8613912345678")
    return customer


# Reading ------------------------------------------------------------------


def test_list_masks_numbers_and_is_scoped(agent, customer, west_customer):
    response = agent.get(URL)
    assert response.status_code == 200
    assert response.data["count"] == 1
    row = response.data["results"][0]
    assert row["name"] == "张伟" and row["unit"]["code"] == "east"
    assert [p["masked"] for p in row["phones"]] == ["138****5678"]
    assert "13812345678" not in response.content.decode()


def test_list_search_and_filters(agent, org, customer, vip):
    key = CustomerFactory(unit=org["east"], name="王芳", segment=Segment.KEY)
    key.tags.add(vip)
    company = CustomerFactory(unit=org["east"], name="阳光物业公司", kind=Customer.Kind.COMPANY)

    def names(**params):
        response = agent.get(URL, params)
        assert response.status_code == 200, response.data
        return {c["name"] for c in response.data["results"]}

    assert names(q="138-1234-5678") == {"张伟"}
    assert names(q="+86 138 1234 5678") == {"张伟"}
    assert names(q="王") == {"王芳"}
    assert names(segment="key") == {"王芳"}
    assert names(tag="VIP") == {"王芳"}
    assert names(kind="company") == {company.name}
    assert names() == {"张伟", "王芳", company.name}


@pytest.mark.parametrize(
    "params", [{"segment": "gold"}, {"kind": "robot"}, {"tag": "no-such-tag"}, {"tag": "VIP\x00"}]
)
def test_list_malformed_filters(agent, customer, params):
    response = agent.get(URL, params)
    assert response.status_code == 400 and set(params) <= set(response.data)


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_without_n_plus_one(agent, org, vip):
    def add_customers(count):
        for i in range(count):
            c = CustomerFactory(unit=org["east"])
            PhoneFactory(customer=c)
            c.tags.add(vip)
            Address.objects.create(customer=c, project="阳光花园", building="3栋", room=f"{i}01")

    add_customers(1)
    one = queries(agent, URL)
    add_customers(19)
    assert queries(agent, URL) == one


def test_retrieve_and_scope(agent, users, customer, west_customer):
    response = agent.get(f"{URL}{customer.pk}/")
    assert response.status_code == 200 and response.data["phones"][0]["masked"] == "138****5678"
    assert agent.get(f"{URL}{west_customer.pk}/").status_code == 404
    assert agent.get(f"{URL}abc/").status_code == 404
    assert client_for(users["manager"]).get(f"{URL}{west_customer.pk}/").status_code == 200


# Creating and changing ----------------------------------------------------------


def test_create_customer_file(agent, users, vip):
    body = {
        "name": "陈静",
        "segment": "new",
        "phones": ["139 0000 1111", "010-62345678"],
        "tags": ["VIP"],
        "email": "chen@example.com",
        "addresses": [{"project": "阳光花园", "building": "5栋", "room": "1201"}],
        "products": [{"model": "KFR-35GW", "serial": "SN2026001", "purchase_date": "2026-03-01"}],
    }
    response = agent.post(URL, body, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["unit"]["code"] == "east" and data["created_by"]["username"] == "agent_east"
    assert [p["masked"] for p in data["phones"]] == ["139****1111", "010****5678"]
    assert data["phones"][0]["is_primary"] is True
    assert data["tags"] == ["VIP"]
    assert data["addresses"][0]["text"] == "阳光花园5栋1201"
    assert data["products"][0]["serial"] == "SN2026001"
    customer = Customer.objects.get(pk=data["id"])
    assert sorted(customer.phones.values_list("number", flat=True)) == [
        "+861062345678",
        "+8613900001111",
    ]
    event = TimelineEvent.objects.get(customer=customer, verb="customer.created")
    assert event.actor == users["agent"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": ["张伟"]}, "name"),
        ({"name": "张伟", "phones": ["12"]}, "phones"),
        ({"name": "张伟", "phones": "13812345678"}, "phones"),
        ({"name": "张伟", "segment": "gold"}, "segment"),
        ({"name": "张伟", "email": "not-an-email"}, "email"),
        ({"name": "张伟", "tags": ["no-such-tag"]}, "tags"),
        ({"name": "张伟", "tags": ["VIP\x00"]}, "tags"),
        ({"name": "张伟", "unit": 999999}, "unit"),
        ({"name": "张伟", "addresses": [{"postcode": "12345678901"}]}, "addresses"),
        ({"name": "张伟", "addresses": {"room": "1"}}, "addresses"),
        ({"name": "张伟", "products": [{"serial": "SN1"}]}, "products"),
        ({"name": "张伟", "products": [{"model": "X", "purchase_date": "soon"}]}, "products"),
    ],
)
def test_create_malformed(agent, body, field):
    response = agent.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.data, response.data
    assert not Customer.objects.exists() and not Phone.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_create_in_another_unit_is_refused(users, org):
    response = client_for(users["agent_west"]).post(
        URL, {"name": "张伟", "unit": org["east"].pk}, format="json"
    )
    assert response.status_code == 400 and "unit" in response.data
    assert not Customer.objects.exists()


def test_create_invalid_json(agent):
    response = agent.generic("POST", URL, "{name: 张伟}", content_type="application/json")
    assert response.status_code == 400 and response.data["detail"]
    assert not Customer.objects.exists()


def test_update_customer_file(agent, customer):
    address = Address.objects.create(customer=customer, project="阳光花园", room="101")
    response = agent.patch(
        f"{URL}{customer.pk}/",
        {
            "segment": "key",
            "phones": ["13812345678", "+86 139 1111 2222"],
            "addresses": [{"id": address.pk, "project": "阳光花园", "room": "102"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["segment"] == "key" and response.data["is_key"] is True
    assert len(response.data["phones"]) == 2
    assert Address.objects.get(pk=address.pk).room == "102"
    event = TimelineEvent.objects.get(customer=customer, verb="customer.updated")
    assert event.before["segment"] == "ordinary" and event.after["segment"] == "key"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phones": ["not a number"]}, "phones"),
        ({"name": ""}, "name"),
        ({"kind": "robot"}, "kind"),
        ({"products": [{"id": 999999, "model": "X"}]}, "products"),
    ],
)
def test_update_malformed_changes_nothing(agent, customer, body, field):
    response = agent.patch(f"{URL}{customer.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.data, response.data
    customer.refresh_from_db()
    assert customer.name == "张伟" and customer.kind == "person"
    assert list(customer.phones.values_list("number", flat=True)) == ["+8613812345678"]
    assert not Product.objects.exists()
    assert not TimelineEvent.objects.filter(verb="customer.updated").exists()


def test_update_out_of_scope(users, customer):
    response = client_for(users["agent_west"]).patch(
        f"{URL}{customer.pk}/", {"name": "改名"}, format="json"
    )
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.name == "张伟"


def test_put_is_not_offered(agent, customer):
    assert agent.put(f"{URL}{customer.pk}/", {"name": "x"}, format="json").status_code == 405


# Caller-ID lookup --------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["13812345678", "138-1234-5678", "+86 138 1234 5678", "008613812345678"]
)
def test_lookup_any_written_form(agent, customer, written):
    response = agent.get(f"{URL}lookup/", {"phone": written})
    assert response.status_code == 200
    assert response.data["number"] == "+8613812345678"
    assert [c["id"] for c in response.data["results"]] == [customer.pk]
    assert response.data["results"][0]["name"] == "张伟"


def test_lookup_key_customers_first_and_scoped(agent, org, customer):
    key = CustomerFactory(unit=org["east"], name="王总", segment=Segment.KEY)
    PhoneFactory(customer=key, number="+8613812345678")
    west = CustomerFactory(unit=org["west"])
    PhoneFactory(customer=west, number="+8613812345678")
    response = agent.get(f"{URL}lookup/", {"phone": "13812345678"})
    assert [c["id"] for c in response.data["results"]] == [key.pk, customer.pk]
    assert response.data["results"][0]["is_key"] is True


def test_lookup_queries_do_not_grow_with_matches(agent, org, customer):
    one = queries(agent, f"{URL}lookup/", {"phone": "13812345678"})
    for _ in range(3):
        PhoneFactory(customer=CustomerFactory(unit=org["east"]), number="+8613812345678")
    assert queries(agent, f"{URL}lookup/", {"phone": "13812345678"}) == one


@pytest.mark.parametrize("params", [{}, {"phone": ""}, {"phone": "anonymous"}, {"phone": "12"}])
def test_lookup_malformed(agent, params):
    response = agent.get(f"{URL}lookup/", params)
    assert response.status_code == 400 and response.data["phone"]


def test_lookup_unknown_number(agent, customer):
    response = agent.get(f"{URL}lookup/", {"phone": "13700000000"})
    assert response.status_code == 200 and response.data["results"] == []


# Reveal ------------------------------------------------------------------------


def test_reveal_returns_the_number_and_logs_it(agent, users, customer):
    phone = customer.phones.get()
    response = agent.post(f"{URL}{customer.pk}/phones/{phone.pk}/reveal/")
    assert response.status_code == 200
    assert response.data == {"id": phone.pk, "number": "13812345678", "e164": "+8613812345678"}
    log = AccessLog.objects.get()
    assert log.user == users["agent"] and log.object_id == customer.pk
    assert log.field == f"phone:{phone.pk}" and log.ip_address == "127.0.0.1"


def test_reveal_out_of_scope_is_404_and_not_logged(users, customer, west_customer):
    phone = customer.phones.get()
    response = client_for(users["agent_west"]).post(f"{URL}{customer.pk}/phones/{phone.pk}/reveal/")
    assert response.status_code == 404
    other_phone = west_customer.phones.get()
    mismatched = client_for(users["agent"]).post(
        f"{URL}{customer.pk}/phones/{other_phone.pk}/reveal/"
    )
    assert mismatched.status_code == 404
    assert not AccessLog.objects.exists()


# Timeline and tags ---------------------------------------------------------------


def test_timeline(agent, users, org, order_types, customer):
    from kefu.workorders.services import intake

    intake(
        user=users["agent"],
        unit=org["east"],
        channel="phone",
        content="厨房漏水",
        customer=customer,
        order={"order_type": order_types["repair"], "title": "厨房漏水"},
    )
    response = agent.get(f"{URL}{customer.pk}/timeline/")
    assert response.status_code == 200
    verbs = {e["verb"] for e in response.data["results"]}
    assert {"contact.registered", "order.registered"} <= verbs
    assert {e["subject_type"] for e in response.data["results"]} >= {"contact", "workorder"}
    assert client_for(users["agent_west"]).get(f"{URL}{customer.pk}/timeline/").status_code == 404


def test_tags(agent, vip):
    response = agent.get("/api/tags/")
    assert response.status_code == 200 and response.data == [
        {"id": vip.pk, "name": "VIP", "color": "blue"}
    ]
