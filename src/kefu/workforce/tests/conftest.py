import datetime

import pytest

from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.workforce import rosters

from .factories import make_queue, skill

MONDAY = datetime.date(2026, 12, 14)  # history back to November: no public holidays


@pytest.fixture
def queue(org):
    return make_queue(org["east"], code="east-aftersales", name="东区售后")


@pytest.fixture
def team(org, users, queue):
    """Six agents of the east unit skilled for its queue."""
    agents = [users["agent"]] + [
        UserFactory(username=f"east_{i}", role=Role.AGENT, unit=org["east"]) for i in range(5)
    ]
    for agent in agents:
        skill(agent, queue)
    return agents


@pytest.fixture
def templates(org, users):
    rosters.install_templates(user=users["manager"], unit=org["east"])
    return {t.code: t for t in rosters.templates_for(org["east"])}
