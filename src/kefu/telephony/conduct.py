"""Call conduct (通话规范) measured from the call records, per agent: the
seeds' rules that a customer is never left on hold over a minute and that
the customer hangs up first."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from kefu.core.models import User
from kefu.telephony.models import HangupSide

LONG_HOLD_SECONDS = 60

# The calls that break a rule, by the name the call-record filter uses.
BREACHES = {
    "long_hold": (_("Held over a minute"), Q(longest_hold_seconds__gt=LONG_HOLD_SECONDS)),
    "agent_hung_up": (_("Agent hung up first"), Q(hung_up_by=HangupSide.AGENT)),
}


def breach(name) -> Q:
    return BREACHES[name][1]


@dataclass
class AgentConduct:
    agent: User
    answered: int
    long_holds: int
    # Of the calls whose PBX said who hung up.
    hangups_known: int
    agent_hung_up: int


def by_agent(calls) -> list[AgentConduct]:
    """One row per agent who answered any of ``calls``, by agent number."""
    rows = (
        calls.filter(answered_at__isnull=False, agent__isnull=False)
        .order_by()
        .values("agent")
        .annotate(
            answered=Count("id"),
            long_holds=Count("id", filter=breach("long_hold")),
            hangups_known=Count("id", filter=~Q(hung_up_by="")),
            agent_hung_up=Count("id", filter=breach("agent_hung_up")),
        )
    )
    counts = {row.pop("agent"): row for row in rows}
    agents = User.objects.filter(pk__in=counts).order_by("agent_no", "username")
    return [AgentConduct(agent=agent, **counts[agent.pk]) for agent in agents]
