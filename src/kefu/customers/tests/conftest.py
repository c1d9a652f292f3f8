"""Fixtures of the customer views' tests: a fuller customer file, one in the
other unit for scope tests, and logged-in clients."""

import pytest

from kefu.customers import services
from kefu.customers.models import Segment, Tag


@pytest.fixture
def tags(db):
    return {
        "owner": Tag.objects.create(name="业主", color="blue"),
        "vip": Tag.objects.create(name="大客户", color="red"),
    }


@pytest.fixture
def full_customer(users, org, tags):
    return services.create_customer(
        user=users["agent"],
        unit=org["east"],
        name="王芳",
        segment=Segment.KEY,
        contact_person="王先生",
        email="wangfang@example.com",
        tags=[tags["vip"]],
        phone_numbers=["139 0000 1111", "010-6552 8888"],
        addresses=[
            {"project": "阳光花园", "building": "3栋", "room": "1202", "region": "上海市浦东新区"}
        ],
        products=[
            {
                "model": "KF-35GW 空调",
                "serial": "SN-88001",
                "purchase_date": "2025-06-01",
                "dealer": "国美浦东店",
                "receipt_no": "HZ-0001",
            }
        ],
    )


@pytest.fixture
def west_customer(users, org):
    return services.create_customer(
        user=users["agent_west"], unit=org["west"], name="赵敏", phone_numbers=["13700001234"]
    )


@pytest.fixture
def agent_client(client, users):
    client.force_login(users["agent"])
    return client


@pytest.fixture
def west_client(client, users):
    client.force_login(users["agent_west"])
    return client
