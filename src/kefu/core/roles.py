"""The roles (岗位) of SPEC §1. A user has one role; process transitions name
the roles allowed to take them, so these codes are stored in data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SENIOR_AGENT = "senior_agent", _("Senior agent")
    CALLBACK_AGENT = "callback_agent", _("Callback agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    SUPERVISOR = "supervisor", _("Supervisor")
    QA = "qa", _("QA inspector")
    HANDLER = "handler", _("Department handler")
    MANAGER = "manager", _("Center manager")
    ADMIN = "admin", _("Operations support")


# Roles that work inside the service center (as opposed to department staff).
CENTER_ROLES = frozenset(
    {
        Role.AGENT,
        Role.SENIOR_AGENT,
        Role.CALLBACK_AGENT,
        Role.TEAM_LEAD,
        Role.SUPERVISOR,
        Role.QA,
        Role.MANAGER,
        Role.ADMIN,
    }
)
SUPERVISING_ROLES = frozenset({Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
