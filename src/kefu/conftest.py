"""Fixtures shared by every app's tests: a small organisation with two
service-center units (so scope isolation can be tested), departments and one
user per role."""

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from kefu.core.calendars import forget_schedules
from kefu.core.models import Department, OrgUnit
from kefu.core.roles import Role
from kefu.factories import CustomerFactory, DepartmentFactory, PhoneFactory, UserFactory
from kefu.sla.services import forget_policies
from kefu.workorders.models import WorkOrderType


@pytest.fixture(autouse=True, scope="session")
def huey_in_memory():
    """Tasks run at once and scheduled ones stay in memory: a test must not
    leave work in the queue file a running worker reads."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language, whatever an earlier test
    in the same worker activated (a request with Accept-Language: en does)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_sla_policies():
    """SLA policies are cached per process; a test's own policies die with
    its transaction, so no test may see another's."""
    forget_policies()
    forget_schedules()
    yield
    forget_policies()
    forget_schedules()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's production hasher takes most of a test's time when it creates users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    hq = OrgUnit.objects.create(name="集团总部", code="hq", kind=OrgUnit.Kind.HEADQUARTERS)
    east = OrgUnit.objects.create(
        name="东区项目", code="east", kind=OrgUnit.Kind.PROJECT, parent=hq
    )
    west = OrgUnit.objects.create(
        name="西区项目", code="west", kind=OrgUnit.Kind.PROJECT, parent=hq
    )
    return {"hq": hq, "east": east, "west": west}


@pytest.fixture
def depts(org):
    return {
        "east_eng": DepartmentFactory(
            unit=org["east"], name="东区工程部", code="eng", deadline_hours=24
        ),
        "west_eng": DepartmentFactory(
            unit=org["west"], name="西区工程部", code="eng", deadline_hours=24
        ),
        "finance": DepartmentFactory(
            unit=org["hq"], name="财务部", code="finance", function=Department.Function.FINANCE
        ),
        "factory": DepartmentFactory(
            unit=org["hq"],
            name="总装厂",
            code="factory",
            kind=Department.Kind.EXTERNAL,
            function=Department.Function.FACTORY,
            deadline_hours=72,
        ),
    }


@pytest.fixture
def users(org, depts):
    def make(username, role, unit, department=None):
        return UserFactory(username=username, role=role, unit=unit, department=department)

    return {
        "agent": make("agent_east", Role.AGENT, org["east"]),
        "agent_west": make("agent_west", Role.AGENT, org["west"]),
        "callback": make("callback_east", Role.CALLBACK_AGENT, org["east"]),
        "supervisor": make("supervisor_east", Role.SUPERVISOR, org["east"]),
        "manager": make("manager_hq", Role.MANAGER, org["hq"]),
        "handler": make("handler_east", Role.HANDLER, org["east"], depts["east_eng"]),
        "handler_west": make("handler_west", Role.HANDLER, org["west"], depts["west_eng"]),
        "finance": make("finance_hq", Role.HANDLER, org["hq"], depts["finance"]),
    }


@pytest.fixture
def customer(org):
    c = CustomerFactory(unit=org["east"], name="张伟")
    PhoneFactory(customer=c, number="+8613812345678")
    return c


@pytest.fixture
def order_types(db):
    return {t.code: t for t in WorkOrderType.objects.all()}
