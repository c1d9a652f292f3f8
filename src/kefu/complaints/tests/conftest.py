import pytest

from kefu.complaints import services
from kefu.complaints.models import Complaint, ComplaintCategory
from kefu.core.roles import Role
from kefu.factories import UserFactory


@pytest.fixture
def category(db):
    # A data migration installs it; a transactional test (the browser's)
    # flushes the tables after it, so a later test on the worker recreates it.
    return ComplaintCategory.objects.get_or_create(name="服务态度")[0]


@pytest.fixture
def more_users(org, depts):
    return {
        "senior": UserFactory(username="senior_east", role=Role.SENIOR_AGENT, unit=org["east"]),
        "supervisor_west": UserFactory(
            username="supervisor_west", role=Role.SUPERVISOR, unit=org["west"]
        ),
        "manager_east": UserFactory(username="manager_east", role=Role.MANAGER, unit=org["east"]),
    }


@pytest.fixture
def complaint(users, customer, category):
    return services.register(
        user=users["agent"],
        customer=customer,
        category=category,
        channel=Complaint.Channel.CALL,
        content="维修师傅上门迟到三小时，态度恶劣",
    )


@pytest.fixture
def make_complaint(users, customer, category):
    def make(severity=Complaint.Severity.ORDINARY, user=None):
        return services.register(
            user=user or users["agent"],
            customer=customer,
            category=category,
            channel=Complaint.Channel.CALL,
            content="投诉内容",
            severity=severity,
        )

    return make


@pytest.fixture
def justified(complaint, users, depts):
    return services.judge_justified(
        complaint,
        user=users["supervisor"],
        responsible_department=depts["east_eng"],
        responsible_person="李师傅",
        apology="非常抱歉给您带来不便",
        investigation_days=3,
    )
