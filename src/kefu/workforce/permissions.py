"""Who may plan and approve: supervising roles (team lead, supervisor,
center manager, operations support) of the unit or a unit above it."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kefu.core.roles import SUPERVISING_ROLES
from kefu.core.scoping import can_see_unit, scope_by_unit


def is_planner(user):
    return user.is_superuser or user.role in SUPERVISING_ROLES


def check_planner(user, unit):
    if not is_planner(user) or not can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot plan or approve for this unit."))


def check_visible(user, unit):
    if not can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot see this unit's workforce records."))


def visible(queryset, user, field="unit"):
    return scope_by_unit(queryset, user, field)
