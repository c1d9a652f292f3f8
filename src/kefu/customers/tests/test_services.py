import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from kefu.core.models import AccessLog, TimelineEvent
from kefu.core.timeline import events_for
from kefu.customers import services
from kefu.customers.models import Customer, Phone, Product, Segment, Tag
from kefu.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(users, org, **kwargs):
    kwargs.setdefault("name", "李娜")
    return services.create_customer(user=users["agent"], unit=org["east"], **kwargs)


def test_create_customer_writes_file_phones_and_timeline(users, org):
    tag = Tag.objects.create(name="业主")
    customer = create(
        users,
        org,
        name="  李娜 ",
        segment=Segment.KEY,
        tags=[tag],
        phone_numbers=["138 1234 0001", "+86 138-1234-0001", "", "(010) 6666 8888"],
    )
    assert customer.name == "李娜" and customer.created_by == users["agent"]
    assert list(customer.tags.all()) == [tag]
    numbers = list(customer.phones.values_list("number", "kind", "is_primary"))
    assert numbers == [("+8613812340001", "mobile", True), ("+861066668888", "landline", False)]
    (event,) = events_for(customer)
    assert event.verb == "customer.created" and event.actor == users["agent"]
    assert event.customer == customer
    assert event.after["name"] == "李娜" and event.after["segment"] == "key"
    assert event.before == {}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"phone_numbers": ["13812340001", "12"]}, "phones"),
        ({"email": "not-an-email"}, "email"),
        ({"segment": "vip"}, "segment"),
    ],
)
def test_create_customer_refuses_bad_input_and_writes_nothing(users, org, kwargs, field):
    with pytest.raises(ValidationError) as err:
        create(users, org, **kwargs)
    assert field in err.value.message_dict
    assert not Customer.objects.exists()
    assert not Phone.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_create_customer_outside_scope_is_refused(users, org):
    with pytest.raises(PermissionDenied):
        services.create_customer(user=users["agent"], unit=org["west"], name="王芳")
    with pytest.raises(PermissionDenied):
        services.create_customer(user=users["agent"], unit=org["hq"], name="王芳")
    assert not Customer.objects.exists()


def test_headquarters_may_create_in_a_child_unit(users, org):
    customer = services.create_customer(user=users["manager"], unit=org["west"], name="王芳")
    assert customer.unit == org["west"]


def test_update_customer_records_before_and_after(users, customer):
    services.update_customer(
        customer, user=users["supervisor"], segment=Segment.KEY, notes="老业主", name="张伟"
    )
    customer.refresh_from_db()
    assert customer.segment == Segment.KEY
    event = events_for(customer).get(verb="customer.updated")
    assert event.actor == users["supervisor"] and event.customer == customer
    # Only what changed: the name was given but stayed the same.
    assert event.before == {"segment": "ordinary", "notes": ""}
    assert event.after == {"segment": "key", "notes": "老业主"}


def test_update_customer_phone_numbers_are_recorded_masked(users, customer):
    services.update_customer(
        customer, user=users["agent"], phone_numbers=["13900001111", "138-1234-5678"]
    )
    assert sorted(customer.phones.values_list("number", flat=True)) == [
        "+8613812345678",
        "+8613900001111",
    ]
    assert customer.phones.get(is_primary=True).number == "+8613900001111"
    event = events_for(customer).get(verb="customer.updated")
    assert event.before == {"phones": ["138****5678"]}
    assert event.after == {"phones": ["139****1111", "138****5678"]}


def test_update_without_changes_writes_no_event(users, customer):
    services.update_customer(
        customer, user=users["agent"], name="张伟", phone_numbers=["+86 138 1234 5678"]
    )
    assert not events_for(customer).exists()


def test_update_with_a_bad_number_changes_nothing(users, customer):
    with pytest.raises(ValidationError) as err:
        services.update_customer(
            customer, user=users["agent"], segment=Segment.KEY, phone_numbers=["abc"]
        )
    assert "phones" in err.value.message_dict
    customer.refresh_from_db()
    assert customer.segment == Segment.ORDINARY
    assert list(customer.phones.values_list("number", flat=True)) == ["+8613812345678"]
    assert not events_for(customer).exists()


def test_update_customer_outside_scope_is_refused(users, customer):
    with pytest.raises(PermissionDenied):
        services.update_customer(customer, user=users["agent_west"], segment=Segment.KEY)
    customer.refresh_from_db()
    assert customer.segment == Segment.ORDINARY


@pytest.mark.parametrize(
    "typed",
    ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678", "8613812345678"],
)
def test_lookup_finds_the_caller_in_any_written_form(users, customer, typed):
    assert list(services.lookup_by_phone(typed, users["agent"])) == [customer]


def test_lookup_matches_numbers_stored_from_any_form(users, org):
    landline = create(users, org, name="物业前台", phone_numbers=["(010) 6666-8888"])
    for typed in ["01066668888", "+861066668888", "86 10 6666 8888", "010-66668888"]:
        assert list(services.lookup_by_phone(typed, users["agent"])) == [landline]


def test_lookup_puts_key_customers_first(users, org):
    number = "13700001234"
    ordinary = create(users, org, name="普通", phone_numbers=[number])
    key = create(users, org, name="重点", phone_numbers=[number], segment=Segment.KEY)
    new = create(users, org, name="新用户", phone_numbers=[number], segment=Segment.NEW)
    found = list(services.lookup_by_phone(number, users["agent"]))
    assert found[0] == key
    assert set(found) == {ordinary, key, new}


def test_lookup_is_scoped(users, org, customer):
    CustomerFactory(unit=org["west"], name="西区张伟").phones.create(number="+8613812345678")
    assert list(services.lookup_by_phone("13812345678", users["agent"])) == [customer]
    assert [c.name for c in services.lookup_by_phone("13812345678", users["agent_west"])] == [
        "西区张伟"
    ]
    assert services.lookup_by_phone("13812345678", users["manager"]).count() == 2


def test_lookup_of_garbage_finds_nothing(users, customer):
    assert not services.lookup_by_phone("unknown", users["agent"]).exists()
    assert not services.lookup_by_phone("", users["agent"]).exists()


def test_search_by_name_phone_tail_and_serial(users, org, customer):
    other = create(users, org, name="李娜", phone_numbers=["010-66668888"])
    Product.objects.create(customer=other, model="KFR-35GW", serial="SN-2026-0001")
    assert list(services.search(users["agent"], "张")) == [customer]
    assert list(services.search(users["agent"], "+86 138 1234 5678")) == [customer]
    assert list(services.search(users["agent"], "5678")) == [customer]
    assert list(services.search(users["agent"], "SN-2026-0001")) == [other]
    # The local number of a landline, typed without its area code.
    assert list(services.search(users["agent"], "66668888")) == [other]
    assert set(services.search(users["agent"], "")) == {customer, other}


def test_search_is_scoped(users, org, customer):
    CustomerFactory(unit=org["west"], name="张三")
    assert list(services.search(users["agent"], "张")) == [customer]
    assert [c.name for c in services.search(users["agent_west"], "张")] == ["张三"]
    assert not services.search(UserFactory(unit=None), "张").exists()


def test_reveal_phone_logs_who_saw_the_number(users, customer):
    phone = customer.phones.get()
    shown = services.reveal_phone(phone, user=users["agent"], ip_address="10.0.0.8")
    assert shown == "13812345678"
    log = AccessLog.objects.get()
    assert log.user == users["agent"] and log.ip_address == "10.0.0.8"
    assert log.content_type == ContentType.objects.get_for_model(Customer)
    assert log.object_id == customer.pk and log.field == f"phone:{phone.pk}"


def test_reveal_phone_outside_scope_is_refused_and_not_logged(users, customer):
    phone = customer.phones.get()
    for user in (users["agent_west"], UserFactory(unit=None)):
        with pytest.raises(PermissionDenied):
            services.reveal_phone(phone, user=user)
    assert not AccessLog.objects.exists()
