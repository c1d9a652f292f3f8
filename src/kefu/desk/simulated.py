"""The simulator's PBX, queue and agents in the database."""

import secrets

from django.contrib.auth import get_user_model

from kefu.core.calendars import BusinessCalendar
from kefu.core.roles import Role
from kefu.telephony import agents as agent_states
from kefu.telephony.models import AgentStatus, Pbx, Queue, QueueMember


def setup(unit, queue_code="sim-service"):
    """A PBX and an always-open queue for simulated traffic in ``unit``."""
    pbx = Pbx.objects.filter(unit=unit, name="模拟交换机").first()
    if pbx is None:
        pbx = Pbx.objects.create(unit=unit, name="模拟交换机", token=secrets.token_hex(16))
    queue, _created = Queue.objects.get_or_create(
        code=queue_code,
        defaults={
            "unit": unit,
            "name": "模拟队列",
            "name_en": "Simulated queue",
            "calendar": BusinessCalendar.objects.filter(always_open=True).first(),
            "wrapup_limit_seconds": 0,
        },
    )
    return pbx, queue


def agents(queue, extensions, at):
    """One user per extension, member of the queue, logged in ready at ``at``."""
    User = get_user_model()
    result = {}
    for ext in extensions:
        user, _created = User.objects.get_or_create(
            username=f"sim{ext}",
            defaults={"first_name": f"模拟坐席{ext}", "role": Role.AGENT, "unit": queue.unit},
        )
        QueueMember.objects.get_or_create(queue=queue, agent=user)
        state = agent_states.state_of(user)
        if state.status != AgentStatus.LOGGED_OUT:
            state = agent_states.change_state(
                user=user, agent=user, status=AgentStatus.LOGGED_OUT, at=at
            )
        agent_states.change_state(
            user=user, agent=user, status=AgentStatus.READY, extension=ext, at=at
        )
        result[ext] = user
    return result
