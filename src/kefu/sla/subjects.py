"""What the SLA engine needs to know about the things its clocks run on:
work orders and complaints. One small class per subject, so the engine
itself (services.py) never asks which one it holds."""

from kefu.core.models import User
from kefu.sla.models import Subject


def _unit_leads(unit_id):
    return list(User.objects.filter(unit_id=unit_id, role="team_lead", is_active=True))


def _department_members(department_id):
    if department_id is None:
        return []
    return list(User.objects.filter(department_id=department_id, is_active=True))


class WorkOrderSubject:
    kind = Subject.WORK_ORDER
    field = "work_order"
    related = ("work_order__unit", "work_order__customer", "work_order__department")

    @staticmethod
    def matches(rule, order):
        if rule.severities:
            return False
        if rule.priorities and order.priority not in rule.priorities:
            return False
        if rule.channels and order.channel not in rule.channels:
            return False
        if rule.types and order.order_type_id not in rule.types:
            return False
        if rule.categories:
            own = {order.category_id, order.category.parent_id if order.category_id else None}
            if not rule.categories & own:
                return False
        return True

    @staticmethod
    def people_to_warn(order):
        if order.assignee_id:
            return [order.assignee]
        return _department_members(order.department_id) or _unit_leads(order.unit_id)

    @staticmethod
    def overdue_department(order):
        """The department a rectification notice goes to when handling is late."""
        return order.department if order.resolved_at is None else None

    @staticmethod
    def title(order):
        return order.title

    @staticmethod
    def url(order):
        return f"/orders/{order.pk}/"


class ComplaintSubject:
    kind = Subject.COMPLAINT
    field = "complaint"
    related = ("complaint__unit", "complaint__customer", "complaint__responsible_department")

    @staticmethod
    def matches(rule, complaint):
        if rule.priorities or rule.channels or rule.types or rule.categories:
            return False
        return not rule.severities or complaint.severity in rule.severities

    @staticmethod
    def people_to_warn(complaint):
        # Before the judgement nobody is responsible yet: the unit's team
        # leads (who judge) are told.
        return _department_members(complaint.responsible_department_id) or _unit_leads(
            complaint.unit_id
        )

    @staticmethod
    def overdue_department(complaint):
        # Complaints escalate to people (the ladder); a rectification notice
        # is about a work order's dispatch.
        return None

    @staticmethod
    def title(complaint):
        return complaint.content[:100]

    @staticmethod
    def url(complaint):
        return complaint.get_absolute_url()


SUBJECTS = {s.kind: s for s in (WorkOrderSubject, ComplaintSubject)}


def subject_of(clock):
    return ComplaintSubject if clock.complaint_id else WorkOrderSubject


def kind_of(obj):
    from kefu.complaints.models import Complaint

    return ComplaintSubject if isinstance(obj, Complaint) else WorkOrderSubject
