"""Fixtures for the work-order pages: orders at each step of the closed loop
in the east unit, and a logged-in client per role."""

import pytest

from kefu.factories import CustomerFactory, PhoneFactory
from kefu.processes.engine import take_transition
from kefu.workorders import services


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def make_order(users, org, customer, order_types):
    def make(title="厨房水管漏水", type_code="repair", user=None, unit=None, **fields):
        fields.setdefault("customer", customer)
        return services.register_order(
            user=user or users["agent"],
            unit=unit or org["east"],
            order_type=order_types[type_code],
            title=title,
            **fields,
        )

    return make


@pytest.fixture
def repair(make_order):
    return make_order(
        location="阳光花园3号楼1202", contact_name="张伟", contact_phone="13812345678"
    )


@pytest.fixture
def dispatched(repair, users, depts):
    return take_transition(repair, "dispatch", users["agent"], {"department": depts["east_eng"].pk})


@pytest.fixture
def resolved(dispatched, users):
    return take_transition(dispatched, "complete", users["handler"], {"result": "更换水管接头"})


@pytest.fixture
def west_customer(org):
    customer = CustomerFactory(unit=org["west"], name="赵敏")
    PhoneFactory(customer=customer, number="+8613900002222")
    return customer


@pytest.fixture
def west_order(users, org, west_customer, order_types, depts):
    order = services.register_order(
        user=users["agent_west"],
        unit=org["west"],
        order_type=order_types["repair"],
        title="西区电梯故障",
        customer=west_customer,
    )
    return take_transition(
        order, "dispatch", users["agent_west"], {"department": depts["west_eng"].pk}
    )
