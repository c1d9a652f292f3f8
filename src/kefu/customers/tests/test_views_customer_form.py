"""Creating and editing customer files, the duplicate-number warning, and the
service rules behind them (addresses, products, duplicates)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kefu.core.models import TimelineEvent
from kefu.core.timeline import events_for
from kefu.customers import services
from kefu.customers.models import Address, Customer, Phone, Product

pytestmark = pytest.mark.django_db

CREATE = reverse("customers:create")


def management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def new_file(org, **overrides):
    data = {
        "name": "陈静",
        "kind": "person",
        "segment": "new",
        "unit": str(org["east"].pk),
        "contact_person": "",
        "email": "",
        "notes": "",
        **management("phones", 2),
        "phones-0-number": "+86 139-1111-2222",
        "phones-1-number": "(021) 5888 6666",
        **management("addresses", 1),
        "addresses-0-project": "锦绣华庭",
        "addresses-0-building": "5栋",
        "addresses-0-room": "0801",
        **management("products", 1),
        "products-0-model": "RSJ-60 热水器",
        "products-0-serial": "RS-2025-77",
        "products-0-purchase_date": "2025-03-08",
        "products-0-dealer": "苏宁",
    }
    data.update(overrides)
    return data


def written():
    return (
        Customer.objects.count(),
        Phone.objects.count(),
        Address.objects.count(),
        Product.objects.count(),
        TimelineEvent.objects.count(),
    )


def test_create_form_renders(agent_client):
    response = agent_client.get(CREATE, {"q": "13800001111"})
    assert response.status_code == 200
    assert response.context["phone_set"].forms[0].initial["number"] == "13800001111"
    assert agent_client.get(CREATE, {"q": "刘洋"}).context["form"].initial["name"] == "刘洋"


def test_create_customer_with_phones_address_and_product(agent_client, users, org, tags):
    response = agent_client.post(CREATE, new_file(org, tags=[str(tags["owner"].pk)]))
    customer = Customer.objects.get(name="陈静")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert [(p.number, p.is_primary) for p in customer.phones.all()] == [
        ("+8613911112222", True),
        ("+862158886666", False),
    ]
    address = customer.addresses.get()
    assert (address.project, address.building, address.room) == ("锦绣华庭", "5栋", "0801")
    product = customer.products.get()
    assert product.purchase_date == datetime.date(2025, 3, 8) and product.dealer == "苏宁"
    assert list(customer.tags.all()) == [tags["owner"]]
    (event,) = events_for(customer)
    assert event.verb == "customer.created" and event.actor == users["agent"]
    assert event.after["addresses"] == ["锦绣华庭5栋0801"]
    assert event.after["phones"] == ["139****2222", "021****6666"]


def test_empty_name_is_refused_and_nothing_written(agent_client, org):
    before = written()
    response = agent_client.post(CREATE, new_file(org, name=""))
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    assert written() == before


def test_invalid_phone_number_is_refused_and_nothing_written(agent_client, org):
    before = written()
    response = agent_client.post(CREATE, new_file(org, **{"phones-1-number": "12ab"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "“12ab”不是" in html
    assert response.context["phone_set"].forms[1].errors
    assert written() == before


def test_bad_purchase_date_is_refused_and_nothing_written(agent_client, org):
    before = written()
    response = agent_client.post(
        CREATE, new_file(org, **{"products-0-purchase_date": "2025-13-45"})
    )
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()
    assert written() == before


def test_product_without_model_is_refused(agent_client, org):
    before = written()
    response = agent_client.post(CREATE, new_file(org, **{"products-0-model": ""}))
    assert response.status_code == 200
    assert response.context["products"].forms[0].errors["model"]
    assert written() == before


def test_unit_outside_scope_cannot_be_chosen(agent_client, org):
    before = written()
    response = agent_client.post(CREATE, new_file(org, unit=str(org["west"].pk)))
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert written() == before


def test_duplicate_number_warns_and_offers_the_existing_file(agent_client, org, customer):
    before = written()
    response = agent_client.post(CREATE, new_file(org, **{"phones-0-number": "138-1234-5678"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["duplicates"] == [customer]
    assert reverse("customers:detail", args=[customer.pk]) in html
    assert 'name="save_anyway"' in html
    assert written() == before
    # The user may still create a second file on purpose.
    data = new_file(org, **{"phones-0-number": "138-1234-5678"}, save_anyway="1")
    assert agent_client.post(CREATE, data).status_code == 302
    assert Customer.objects.filter(phones__number="+8613812345678").count() == 2


def test_no_duplicate_warning_for_files_of_other_units(west_client, org, customer):
    data = new_file(org, unit=str(org["west"].pk), **{"phones-0-number": "13812345678"})
    assert west_client.post(CREATE, data).status_code == 302


def test_live_duplicate_hint(agent_client, customer, west_customer):
    url = reverse("customers:duplicates")
    html = agent_client.get(url, {"phones-0-number": "+86 138 1234 5678"}).content.decode()
    assert "张伟" in html and "138****5678" in html
    assert agent_client.get(url, {"phones-0-number": "13700001234"}).content.decode().strip() == ""
    assert agent_client.get(url, {"phones-0-number": "not a number"}).content.decode().strip() == ""
    excluded = agent_client.get(url, {"phones-0-number": "13812345678", "exclude": customer.pk})
    assert excluded.content.decode().strip() == ""


def edit_data(customer, **overrides):
    """The edit form as the browser posts it, unchanged."""
    addresses = list(customer.addresses.all())
    products = list(customer.products.all())
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "segment": customer.segment,
        "contact_person": customer.contact_person,
        "email": customer.email,
        "notes": customer.notes,
        "tags": [str(t.pk) for t in customer.tags.all()],
        **management("phones", 1),
        "phones-0-number": "",
        **management("addresses", len(addresses) + 1, len(addresses)),
        **management("products", len(products) + 1, len(products)),
    }
    for i, a in enumerate(addresses):
        data.update({f"addresses-{i}-id": str(a.pk), f"addresses-{i}-customer": str(customer.pk)})
        data.update({f"addresses-{i}-{f}": getattr(a, f) for f in services.ADDRESS_FIELDS})
    for i, p in enumerate(products):
        data.update({f"products-{i}-id": str(p.pk), f"products-{i}-customer": str(customer.pk)})
        data.update({f"products-{i}-{f}": getattr(p, f) or "" for f in services.PRODUCT_FIELDS})
    data.update(overrides)
    return data


def edit(customer):
    return reverse("customers:edit", args=[customer.pk])


def test_edit_form_keeps_numbers_masked(agent_client, full_customer):
    response = agent_client.get(edit(full_customer))
    html = response.content.decode()
    assert response.status_code == 200
    assert "139****1111" in html and "13900001111" not in html


def test_unchanged_edit_writes_no_event(agent_client, full_customer):
    before = written()
    response = agent_client.post(edit(full_customer), edit_data(full_customer))
    assert response.status_code == 302
    assert written() == before


def test_edit_changes_fields_phones_and_children_on_the_timeline(
    agent_client, users, full_customer
):
    old_phone = full_customer.phones.get(number="+861065528888")
    address = full_customer.addresses.get()
    data = edit_data(
        full_customer,
        segment="repair",
        **{
            "old-remove": [str(old_phone.pk)],
            "phones-0-number": "13600009999",
            "addresses-0-room": "1203",
            "products-0-DELETE": "on",
        },
    )
    response = agent_client.post(edit(full_customer), data)
    assert response.status_code == 302
    full_customer.refresh_from_db()
    assert full_customer.segment == "repair"
    assert list(full_customer.phones.values_list("number", flat=True)) == [
        "+8613900001111",
        "+8613600009999",
    ]
    assert (
        full_customer.addresses.get().pk == address.pk
        and full_customer.addresses.get().room == "1203"
    )
    assert not full_customer.products.exists()
    event = events_for(full_customer).first()
    assert event.verb == "customer.updated" and event.actor == users["agent"]
    assert event.before["segment"] == "key" and event.after["segment"] == "repair"
    assert event.before["addresses"] == ["上海市浦东新区 阳光花园3栋1202"]
    assert event.after["addresses"] == ["上海市浦东新区 阳光花园3栋1203"]
    assert event.after["products"] == []
    assert "010****8888" in event.before["phones"] and "010****8888" not in event.after["phones"]


def test_edit_with_bad_email_changes_nothing(agent_client, full_customer):
    before = written()
    response = agent_client.post(
        edit(full_customer), edit_data(full_customer, email="not-an-email", name="改名")
    )
    assert response.status_code == 200
    assert "请输入合法的邮件地址" in response.content.decode()
    full_customer.refresh_from_db()
    assert full_customer.name == "王芳" and written() == before


def test_edit_warns_about_a_number_of_another_file(agent_client, full_customer, customer):
    data = edit_data(full_customer, **{"phones-0-number": "13812345678"})
    response = agent_client.post(edit(full_customer), data)
    assert response.status_code == 200 and response.context["duplicates"] == [customer]
    assert not full_customer.phones.filter(number="+8613812345678").exists()


def test_edit_out_of_scope_is_404_and_changes_nothing(west_client, full_customer):
    response = west_client.post(edit(full_customer), edit_data(full_customer, name="改名"))
    assert response.status_code == 404
    full_customer.refresh_from_db()
    assert full_customer.name == "王芳"


# The service rules behind the forms.


def test_find_duplicates_reads_any_form_and_respects_scope(users, customer, west_customer):
    agent = users["agent"]
    assert list(services.find_duplicates(agent, ["0086 138 1234 5678"])) == [customer]
    assert list(services.find_duplicates(agent, ["13700001234"])) == []
    assert list(services.find_duplicates(users["manager"], ["13700001234", "138 1234 5678"])) in (
        [customer, west_customer],
        [west_customer, customer],
    )
    assert list(services.find_duplicates(agent, ["13812345678"], exclude=customer)) == []
    assert list(services.find_duplicates(agent, ["", "abc", None])) == []


def test_bad_product_row_rolls_back_the_whole_file(users, org):
    with pytest.raises(ValidationError) as err:
        services.create_customer(
            user=users["agent"],
            unit=org["east"],
            name="周强",
            phone_numbers=["13500001111"],
            products=[{"model": "A1"}, {"serial": "S-2"}],
        )
    assert "products" in err.value.message_dict
    assert "第 2 行" in err.value.message_dict["products"][0]
    assert not Customer.objects.filter(name="周强").exists() and not Phone.objects.exists()


def test_rows_must_belong_to_the_customer(users, full_customer, customer):
    foreign = services.create_customer(
        user=users["agent"],
        unit=full_customer.unit,
        name="别人",
        addresses=[{"detail": "别处"}],
    ).addresses.get()
    with pytest.raises(ValidationError) as err:
        services.update_customer(
            full_customer, user=users["agent"], addresses=[{"id": foreign.pk, "detail": "改"}]
        )
    assert "addresses" in err.value.message_dict
    foreign.refresh_from_db()
    assert foreign.detail == "别处"


def test_unknown_row_fields_are_refused(users, org):
    with pytest.raises(ValidationError) as err:
        services.create_customer(
            user=users["agent"], unit=org["east"], name="周强", addresses=[{"floor": "3"}]
        )
    assert "floor" in err.value.message_dict["addresses"][0]


def test_update_out_of_scope_is_refused(users, customer):
    with pytest.raises(PermissionDenied):
        services.update_customer(customer, user=users["agent_west"], name="改名")
