"""factory_boy factories for tests (and nothing else)."""

import factory
from factory.django import DjangoModelFactory

from kefu.core.models import Department, OrgUnit, User
from kefu.core.roles import Role
from kefu.customers.models import Customer, Phone


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"unit{n}")
    kind = OrgUnit.Kind.PROJECT


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    unit = factory.SubFactory(OrgUnitFactory)
    name = factory.Sequence(lambda n: f"工程部{n}")
    code = factory.Sequence(lambda n: f"dept{n}")
    function = Department.Function.ENGINEERING
    deadline_hours = 24


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.AGENT
    agent_no = factory.Sequence(lambda n: f"{1000 + n}")
    unit = factory.SubFactory(OrgUnitFactory)
    password = factory.django.Password("kefu-test-pass")


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    unit = factory.SubFactory(OrgUnitFactory)
    name = factory.Sequence(lambda n: f"客户{n}")


class PhoneFactory(DjangoModelFactory):
    class Meta:
        model = Phone

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"+86138{n:08d}")
    is_primary = True
