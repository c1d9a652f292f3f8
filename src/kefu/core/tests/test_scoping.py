import pytest

from kefu.core import scoping
from kefu.core.roles import Role
from kefu.customers.models import Customer, Phone
from kefu.factories import CustomerFactory, OrgUnitFactory, PhoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(org):
    return OrgUnitFactory(code="east-office", name="东区前台", parent=org["east"])


@pytest.fixture
def customers(org, office):
    return {
        code: CustomerFactory(unit=u, name=f"客户-{code}")
        for code, u in {**org, "office": office}.items()
    }


def names(queryset):
    return sorted(c.name.removeprefix("客户-") for c in queryset)


def user_in(unit, **kwargs):
    return UserFactory(unit=unit, role=Role.AGENT, **kwargs)


def test_a_unit_sees_its_subtree(org, customers):
    visible = scoping.scope_by_unit(Customer.objects.all(), user_in(org["east"]))
    assert names(visible) == ["east", "office"]


def test_headquarters_sees_every_unit_below(org, customers):
    visible = scoping.scope_by_unit(Customer.objects.all(), user_in(org["hq"]))
    assert names(visible) == ["east", "hq", "office", "west"]


def test_a_leaf_unit_sees_only_itself(office, customers):
    visible = scoping.scope_by_unit(Customer.objects.all(), user_in(office))
    assert names(visible) == ["office"]


def test_a_sibling_with_a_similar_code_is_not_in_scope(org, customers):
    lookalike = OrgUnitFactory(code="east2", name="东区二期", parent=org["hq"])
    CustomerFactory(unit=lookalike, name="客户-east2")
    visible = scoping.scope_by_unit(Customer.objects.all(), user_in(org["east"]))
    assert names(visible) == ["east", "office"]


def test_user_without_unit_sees_nothing(customers):
    user = UserFactory(unit=None, role=Role.MANAGER)
    assert scoping.visible_unit_ids(user) == []
    assert not scoping.scope_by_unit(Customer.objects.all(), user).exists()
    assert not Customer.objects.filter(scoping.unit_q(user)).exists()
    assert not any(scoping.can_see_unit(user, c.unit) for c in customers.values())


def test_superuser_sees_everything(customers):
    admin = UserFactory(unit=None, is_superuser=True)
    assert scoping.visible_unit_ids(admin) is None
    assert names(scoping.scope_by_unit(Customer.objects.all(), admin)) == [
        "east",
        "hq",
        "office",
        "west",
    ]
    assert Customer.objects.filter(scoping.unit_q(admin)).count() == 4
    assert all(scoping.can_see_unit(admin, c.unit) for c in customers.values())


def test_unit_q_and_can_see_unit_agree_with_scope_by_unit(customers):
    for customer in customers.values():
        user = user_in(customer.unit)
        scoped = set(scoping.scope_by_unit(Customer.objects.all(), user))
        assert set(Customer.objects.filter(scoping.unit_q(user))) == scoped
        assert {c for c in customers.values() if scoping.can_see_unit(user, c.unit)} == scoped


def test_scope_on_a_related_field(customers, users):
    for customer in customers.values():
        PhoneFactory(customer=customer)
    phones = scoping.scope_by_unit(Phone.objects.all(), users["agent"], field="customer__unit")
    assert {p.customer.name for p in phones} == {"客户-east", "客户-office"}


def test_can_see_unit_refuses_missing_unit(users):
    assert scoping.can_see_unit(users["agent"], None) is False


def test_scope_follows_a_moved_unit(org, customers):
    west_agent = user_in(org["west"])
    east = org["east"]
    east.parent = org["west"]
    east.save()
    assert names(scoping.scope_by_unit(Customer.objects.all(), west_agent)) == [
        "east",
        "office",
        "west",
    ]
