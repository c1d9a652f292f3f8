import pytest

from kefu.complaints import services
from kefu.complaints.models import Category, Channel, Severity
from kefu.core.roles import Role
from kefu.factories import UserFactory


@pytest.fixture
def senior(org):
    return UserFactory(username="senior_east", role=Role.SENIOR_AGENT, unit=org["east"])


@pytest.fixture
def supervisor_west(org):
    return UserFactory(username="supervisor_west", role=Role.SUPERVISOR, unit=org["west"])


@pytest.fixture
def register(users, org):
    def make(severity=Severity.ORDINARY, **kwargs):
        fields = {
            "user": users["agent"],
            "unit": org["east"],
            "complainant_name": "李娜",
            "channel": Channel.PHONE,
            "content": "维修师傅上门迟到三小时，态度恶劣。",
            "category": Category.ATTITUDE,
            "severity": severity,
        }
        fields.update(kwargs)
        return services.register(**fields)

    return make


@pytest.fixture
def justified(register, users, depts):
    def make(**kwargs):
        complaint = register(**kwargs)
        return services.judge(
            complaint,
            user=users["supervisor"],
            justified=True,
            responsible_department=depts["east_eng"],
            responsible_person="王师傅",
            apology="向客户致歉，说明将调查处理。",
            promised_days=2,
        )

    return make
