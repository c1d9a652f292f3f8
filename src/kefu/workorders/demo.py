"""Demo orders on the industry process templates: property processes at the
property sites, after-sales, IT and e-commerce ones on the hotline; each way
through a template walked once to its end, and one order per template left
open part-way so every template has work in progress to look at."""

from kefu.core import scoping
from kefu.core.roles import Role
from kefu.customers.models import Customer
from kefu.processes.engine import take_transition
from kefu.workorders import services
from kefu.workorders.models import WorkOrderType
from kefu.workorders.preset_walks import WALKS, resolve_values

HOTLINE_PRESETS = {
    "aftersales_complaint",
    "it_service",
    "ecom_return",
    "ecom_unshipped",
    "ecom_review",
}


def _actors(organisation, staff):
    actors = {
        "agent": staff.agents[0],
        "lead": staff.leads[-1],
        "manager": next(
            u
            for u in organisation.users.values()
            if u.role == Role.MANAGER and scoping.can_see_unit(u, staff.center)
        ),
    }
    for department in staff.departments.values():
        members = staff.handlers.get(department.pk)
        if members:
            actors.setdefault(f"handler:{department.function}", members[0])
    if staff.finance is not None:
        actors.setdefault("handler:finance", staff.finance)
    return actors


def _walk(order, steps, actors):
    for action, actor, values in steps:
        data, files = resolve_values(order, values)
        order = take_transition(order, action, actors[actor], data, files)
    return order


def load(organisation, rng, now):
    sites = {s.site.line: s for s in reversed(organisation.sites)}
    for code, (type_code, title, paths) in WALKS.items():
        staff = sites["hotline" if code in HOTLINE_PRESETS else "property"]
        actors = _actors(organisation, staff)
        order_type = WorkOrderType.objects.get(code=type_code)
        customers = list(Customer.objects.filter(unit=staff.center).order_by("pk")[:200])
        plans = [(steps, len(steps)) for _name, _end, steps in paths]
        longest = max(paths, key=lambda p: len(p[2]))[2]
        plans.append((longest, rng.randrange(1, len(longest))))
        for steps, taken in plans:
            customer = rng.choice(customers) if customers else None
            # Every order comes from a contact, as at the workbench.
            _contact, order = services.intake(
                user=actors["agent"],
                unit=staff.center,
                channel="phone",
                content=title,
                customer=customer,
                order={"order_type": order_type, "title": title},
            )
            _walk(order, steps[:taken], actors)
