"""Who may see and act on a work order.

Center staff see the orders of their unit and its children. Department
handlers see only the orders dispatched to their own department, wherever
the order was registered."""

from django.db.models import Q

from kefu.core import scoping


def visibility_q(user, prefix="") -> Q:
    """The orders ``user`` may see; ``prefix`` ("work_order__") filters rows
    that belong to an order."""
    if user.is_superuser:
        return Q()
    if user.is_handler:
        if user.department_id is None:
            return Q(pk__in=[])
        return Q(**{f"{prefix}department_id": user.department_id})
    ids = scoping.visible_unit_ids(user)
    return Q(**{f"{prefix}unit_id__in": ids})


def can_see(user, order) -> bool:
    if user.is_superuser:
        return True
    if user.is_handler:
        return user.department_id is not None and order.department_id == user.department_id
    return scoping.can_see_unit(user, order.unit)


def can_act_on(user, order) -> bool:
    return can_see(user, order)
