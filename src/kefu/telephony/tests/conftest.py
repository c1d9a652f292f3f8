"""A PBX of the east unit, an always-open queue with two agents and the
helpers that post events as the PBX would."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kefu.core.calendars import BusinessCalendar
from kefu.factories import UserFactory
from kefu.telephony import agents
from kefu.telephony.cti import forget_cache
from kefu.telephony.models import AgentStatus
from kefu.telephony.services import forget_pbx_tokens
from kefu.telephony.tests.factories import PbxFactory, QueueFactory, QueueMemberFactory

T0 = timezone.make_aware(datetime(2026, 12, 2, 10, 0, 0))


@pytest.fixture(autouse=True)
def fresh_tokens():
    """PBXs, queues and blocked numbers are cached per process; a test's
    rows die with its transaction."""
    forget_pbx_tokens()
    forget_cache()
    yield
    forget_pbx_tokens()
    forget_cache()


@pytest.fixture
def pbx(org):
    return PbxFactory(unit=org["east"], token="east-pbx-token-0001")


@pytest.fixture
def always_open(db):
    return BusinessCalendar.objects.get(code="always")


@pytest.fixture
def queue(org, always_open):
    return QueueFactory(unit=org["east"], code="service", name="客服", calendar=always_open)


@pytest.fixture
def desk_agents(org, users, queue):
    """Two agents of the queue, both logged out."""
    first = users["agent"]
    second = UserFactory(username="agent_east2", role="agent", unit=org["east"])
    QueueMemberFactory(queue=queue, agent=first, skill_level=3)
    QueueMemberFactory(queue=queue, agent=second, skill_level=5)
    return [first, second]


def make_ready(agent, extension, at):
    state = agents.change_state(
        user=agent, agent=agent, status=AgentStatus.READY, extension=extension, at=at
    )
    return state


@pytest.fixture
def ready_agents(desk_agents):
    """Both ready: the first since T0 − 60 s, the second since T0 − 30 s."""
    make_ready(desk_agents[0], "8001", T0 - timedelta(seconds=60))
    make_ready(desk_agents[1], "8002", T0 - timedelta(seconds=30))
    return desk_agents


@pytest.fixture
def pbx_client():
    return APIClient()


def at(seconds):
    return (T0 + timedelta(seconds=seconds)).isoformat()
