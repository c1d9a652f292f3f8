"""The complaint process (SPEC §2.4). Each function checks who may act and
on which unit, moves the complaint on and writes the timeline."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.complaints import clocks
from kefu.complaints.models import (
    Compensation,
    Complaint,
    ComplaintCategory,
    CorrectiveAction,
    ResolutionPlan,
)
from kefu.complaints.signals import complaint_awaiting_callback
from kefu.core import scoping, timeline
from kefu.core.choices import DISSATISFIED, Satisfaction
from kefu.core.models import Department, User
from kefu.core.notifications import Notification, notify
from kefu.core.numbering import next_number
from kefu.core.roles import CENTER_ROLES, Role
from kefu.customers.services import create_customer

PREFIX = "TS"
CALLBACK_WITHIN = timedelta(days=1)

JUDGE_ROLES = frozenset({Role.SENIOR_AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
LEADERSHIP_ROLES = frozenset({Role.MANAGER})

OPEN_STATUSES = frozenset(set(Complaint.Status) - {Complaint.Status.CLOSED})


def visible_complaints(user):
    return scoping.scope_by_unit(
        Complaint.objects.select_related("unit", "category", "customer"), user
    )


def _has_role(user, roles):
    return user.is_superuser or user.role in roles


def _require(user, roles, message):
    if not _has_role(user, roles):
        raise PermissionDenied(message)


def _require_visible(user, complaint):
    if not scoping.can_see_unit(user, complaint.unit):
        raise PermissionDenied(_("This complaint belongs to another unit."))


def _require_status(complaint, *statuses):
    if complaint.status not in statuses:
        raise ValidationError(
            {
                "status": [
                    _("Not possible while the complaint is %(status)s.")
                    % {"status": complaint.get_status_display()}
                ]
            }
        )


def _text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _lock(complaint):
    return Complaint.objects.select_for_update().select_related("unit").get(pk=complaint.pk)


def _record(complaint, verb, user, message, before=None, after=None):
    # The timeline labels before/after by the complaint's fields; plans and
    # actions are described in the message instead.
    fields = {f.name for f in Complaint._meta.get_fields()}
    before = {k: v for k, v in (before or {}).items() if k in fields}
    after = {k: v for k, v in (after or {}).items() if k in fields}
    timeline.record(
        complaint,
        verb,
        actor=user,
        message=message,
        before=before,
        after=after,
        customer=complaint.customer,
    )


def _move(complaint, status, user, verb, message, **after):
    before = {"status": complaint.status}
    complaint.status = status
    complaint.save()
    clocks.moved(complaint, before["status"])
    _record(complaint, verb, user, message, before, {"status": status, **after})


@transaction.atomic
def register(
    *,
    user,
    category,
    channel,
    content,
    customer=None,
    complainant_name="",
    complainant_phone="",
    create_customer_file=False,
    received_at=None,
    severity=Complaint.Severity.ORDINARY,
    against_department=None,
    against_person="",
    expected_resolution="",
    work_order=None,
    unit=None,
) -> Complaint:
    """The registration form (客户投诉登记表). The complainant is a known
    customer, a new customer file made now, or just a name and phone."""
    _require(user, CENTER_ROLES, _("Only service-center staff register complaints."))
    unit = unit or user.unit
    if unit is None or not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot register complaints in this unit."))
    errors = {}
    if not isinstance(category, ComplaintCategory):
        errors["category"] = [_("Choose a category.")]
    if channel not in Complaint.Channel.values:
        errors["channel"] = [_("Choose a channel.")]
    if severity not in Complaint.Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if not (content or "").strip():
        errors["content"] = [_("Describe the complaint.")]
    if customer is None and not (complainant_name or "").strip():
        errors["complainant_name"] = [_("Enter the complainant's name or choose a customer.")]
    if customer is not None and not scoping.can_see_unit(user, customer.unit):
        errors["customer"] = [_("This customer belongs to another unit.")]
    if work_order is not None and not scoping.can_see_unit(user, work_order.unit):
        errors["work_order"] = [_("This work order belongs to another unit.")]
    if errors:
        raise ValidationError(errors)
    if customer is None and create_customer_file:
        customer = create_customer(
            user=user,
            unit=unit,
            name=complainant_name,
            phone_numbers=[complainant_phone] if complainant_phone else [],
        )
    if customer is not None and not complainant_name:
        complainant_name = customer.name
    received_at = received_at or timezone.now()
    complaint = Complaint.objects.create(
        number=next_number(PREFIX, timezone.localdate(received_at)),
        unit=unit,
        customer=customer,
        complainant_name=complainant_name.strip(),
        complainant_phone=(complainant_phone or "").strip(),
        work_order=work_order,
        received_at=received_at,
        channel=channel,
        content=content.strip(),
        category=category,
        against_department=against_department,
        against_person=(against_person or "").strip(),
        severity=severity,
        expected_resolution=(expected_resolution or "").strip(),
        registered_by=user,
    )
    clocks.registered(complaint)
    _record(
        complaint,
        "complaint.registered",
        user,
        _("Complaint registered"),
        after={
            "status": complaint.status,
            "severity": severity,
            "channel": channel,
            "category": category.name,
        },
    )
    if complaint.is_severe:
        _notify_leadership(
            complaint, _("Severe complaint %(number)s registered") % {"number": complaint.number}
        )
    return complaint


def _notify_leadership(complaint, title):
    """Severe complaints are reported to leadership (投诉登报 and the like):
    the center managers of the complaint's unit and the units above it."""
    ancestors = [
        complaint.unit.path[: i + 1]
        for i, ch in enumerate(complaint.unit.path)
        if ch == "/" and i > 0
    ]
    leaders = User.objects.filter(
        role__in=LEADERSHIP_ROLES, is_active=True, unit__path__in=ancestors
    )
    notify(
        leaders,
        title=title,
        body=f"{complaint.get_severity_display()}：{complaint.content[:200]}",
        url=complaint.get_absolute_url(),
        level=Notification.Level.DANGER,
    )


@transaction.atomic
def judge_unjustified(complaint, *, user, explanation) -> Complaint:
    """无责: the customer gets an explanation and the complaint closes with
    their understanding."""
    _require(user, JUDGE_ROLES, _("Only a supervisor or senior agent judges complaints."))
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    _require_status(complaint, Complaint.Status.REGISTERED)
    explanation = _text(explanation, "explanation", _("Record the explanation given."))
    now = timezone.now()
    complaint.justified = False
    complaint.judged_at = complaint.closed_at = now
    complaint.judged_by = user
    complaint.explanation = explanation
    _move(
        complaint,
        Complaint.Status.CLOSED,
        user,
        "complaint.unjustified",
        _("Judged unjustified; closed with the customer's understanding"),
        justified=False,
    )
    return complaint


@transaction.atomic
def judge_justified(
    complaint,
    *,
    user,
    responsible_department,
    apology,
    investigation_days,
    responsible_person="",
) -> Complaint:
    """有责: the responsible department and person are named, the apology
    recorded and the customer told how long the investigation takes."""
    _require(user, JUDGE_ROLES, _("Only a supervisor or senior agent judges complaints."))
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    _require_status(complaint, Complaint.Status.REGISTERED)
    errors = {}
    if not isinstance(responsible_department, Department):
        errors["responsible_department"] = [_("Choose the responsible department.")]
    elif not scoping.visible_departments(user).filter(pk=responsible_department.pk).exists():
        errors["responsible_department"] = [_("This department is not available to you.")]
    if not (apology or "").strip():
        errors["apology"] = [_("Record the apology made to the customer.")]
    try:
        days = int(investigation_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 60:
        errors["investigation_days"] = [_("Enter the investigation time in days (1 to 60).")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    complaint.justified = True
    complaint.judged_at = now
    complaint.judged_by = user
    complaint.responsible_department = responsible_department
    complaint.responsible_person = (responsible_person or "").strip()
    complaint.apology = apology.strip()
    complaint.investigation_days = days
    _move(
        complaint,
        Complaint.Status.HANDLING,
        user,
        "complaint.justified",
        _("Judged justified; responsible: %(dept)s") % {"dept": responsible_department.name},
        justified=True,
        responsible_department=responsible_department.name,
        investigation_days=days,
    )
    clocks.judged_justified(complaint, now)
    return complaint


def _may_propose(user, complaint, department):
    if _has_role(user, JUDGE_ROLES):
        return True
    return user.role == Role.HANDLER and user.department_id == department.pk


@transaction.atomic
def propose_plan(complaint, *, user, department, content) -> ResolutionPlan:
    """A department's proposal; several may compete for the supervisor's choice."""
    _require_visible(user, complaint)
    if not isinstance(department, Department):
        raise ValidationError({"department": [_("Choose the proposing department.")]})
    if not _may_propose(user, complaint, department):
        raise PermissionDenied(_("Only the department or a supervisor proposes a plan."))
    complaint = _lock(complaint)
    _require_status(complaint, Complaint.Status.HANDLING)
    content = _text(content, "content", _("Describe the proposed resolution."))
    plan = ResolutionPlan.objects.create(
        complaint=complaint, department=department, content=content, proposed_by=user
    )
    clocks.plan_proposed(complaint, plan)
    _record(
        complaint,
        "complaint.plan_proposed",
        user,
        _("Resolution plan proposed by %(dept)s: %(content)s")
        % {"dept": department.name, "content": content},
        after={"plan": plan.pk, "department": department.name},
    )
    return plan


def _lock_plan(plan, user):
    complaint = plan.complaint
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    plan = ResolutionPlan.objects.select_for_update().get(pk=plan.pk)
    return complaint, plan


@transaction.atomic
def approve_plan(plan, *, user, comment="") -> ResolutionPlan:
    """主管批示: the supervisor picks this plan. A severe complaint then waits
    for the center manager."""
    _require(user, APPROVER_ROLES, _("Only a supervisor approves resolution plans."))
    complaint, plan = _lock_plan(plan, user)
    _require_status(complaint, Complaint.Status.HANDLING)
    if plan.status != ResolutionPlan.Status.PROPOSED:
        raise ValidationError({"plan": [_("This plan has already been decided.")]})
    comment = _text(comment, "comment", _("Write the supervisor's comment (主管批示)."))
    plan.status = ResolutionPlan.Status.APPROVED
    plan.decided_by = user
    plan.decided_at = timezone.now()
    plan.comment = comment
    plan.save()
    if complaint.is_severe and not _has_role(user, LEADERSHIP_ROLES):
        _move(
            complaint,
            Complaint.Status.AWAITING_MANAGER,
            user,
            "complaint.plan_approved",
            _("Plan approved by the supervisor (%(comment)s); the center manager must approve")
            % {"comment": comment},
            plan=plan.pk,
            comment=comment,
        )
        _notify_leadership(
            complaint,
            _("Complaint %(number)s: a plan awaits your approval") % {"number": complaint.number},
        )
    else:
        if complaint.is_severe:
            plan.manager_approved_by = user
            plan.manager_approved_at = plan.decided_at
            plan.manager_comment = comment
            plan.save()
        _move(
            complaint,
            Complaint.Status.EXECUTING,
            user,
            "complaint.plan_approved",
            _("Plan approved; the department executes it: %(comment)s") % {"comment": comment},
            plan=plan.pk,
            comment=comment,
        )
    return plan


@transaction.atomic
def reject_plan(plan, *, user, comment) -> ResolutionPlan:
    _require(user, APPROVER_ROLES, _("Only a supervisor rejects resolution plans."))
    complaint, plan = _lock_plan(plan, user)
    if (
        plan.status == ResolutionPlan.Status.APPROVED
        and plan.manager_approved_at is None
        and complaint.status == Complaint.Status.AWAITING_MANAGER
    ):
        _require(user, LEADERSHIP_ROLES, _("Only the center manager decides severe complaints."))
    elif plan.status != ResolutionPlan.Status.PROPOSED:
        raise ValidationError({"plan": [_("This plan has already been decided.")]})
    comment = _text(comment, "comment", _("Say why the plan is rejected."))
    plan.status = ResolutionPlan.Status.REJECTED
    plan.decided_by = user
    plan.decided_at = timezone.now()
    plan.comment = comment
    plan.save()
    if complaint.status == Complaint.Status.AWAITING_MANAGER:
        _move(
            complaint,
            Complaint.Status.HANDLING,
            user,
            "complaint.plan_rejected",
            _("The center manager rejected the plan; a new plan is needed"),
            plan=plan.pk,
            comment=comment,
        )
    else:
        _record(
            complaint,
            "complaint.plan_rejected",
            user,
            _("Resolution plan of %(dept)s rejected: %(comment)s")
            % {"dept": plan.department.name, "comment": comment},
        )
    return plan


@transaction.atomic
def manager_approve(complaint, *, user, comment="") -> Complaint:
    """Severe complaints need the center manager's approval of the plan."""
    _require(user, LEADERSHIP_ROLES, _("Only the center manager approves severe complaints."))
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    _require_status(complaint, Complaint.Status.AWAITING_MANAGER)
    # Plans approved in an earlier round (before a dissatisfied callback) stay as history.
    plan = (
        complaint.plans.select_for_update()
        .filter(status=ResolutionPlan.Status.APPROVED, manager_approved_at__isnull=True)
        .latest("decided_at", "id")
    )
    plan.manager_approved_by = user
    plan.manager_approved_at = timezone.now()
    plan.manager_comment = (comment or "").strip()
    plan.save()
    _move(
        complaint,
        Complaint.Status.EXECUTING,
        user,
        "complaint.manager_approved",
        _("The center manager approved the plan"),
        plan=plan.pk,
    )
    return complaint


def _amount(value):
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("Enter an amount in yuan.")]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({"amount": [_("Enter an amount in yuan.")]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def record_compensation(complaint, *, user, kind, amount, note="") -> Compensation:
    """Compensation is approved by whoever records it, so only approvers can."""
    _require(user, APPROVER_ROLES, _("Only a supervisor approves compensation."))
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    if complaint.justified is not True or complaint.status == Complaint.Status.CLOSED:
        raise ValidationError(
            {"status": [_("Compensation is recorded on an open, justified complaint.")]}
        )
    if kind not in Compensation.Kind.values:
        raise ValidationError({"kind": [_("Choose the kind of compensation.")]})
    compensation = Compensation.objects.create(
        complaint=complaint,
        kind=kind,
        amount=_amount(amount),
        note=(note or "").strip()[:200],
        approved_by=user,
    )
    _record(
        complaint,
        "complaint.compensation",
        user,
        _("Compensation recorded: %(kind)s %(amount)s")
        % {"kind": compensation.get_kind_display(), "amount": compensation.amount},
        after={"kind": kind, "amount": str(compensation.amount)},
    )
    return compensation


@transaction.atomic
def record_result(complaint, *, user, result) -> Complaint:
    """The department reports what it did; the result goes back to the center."""
    _require_visible(user, complaint)
    # Checked on the locked row: the caller's copy may predate the judgement.
    complaint = _lock(complaint)
    if not (
        _has_role(user, CENTER_ROLES)
        or (user.role == Role.HANDLER and user.department_id == complaint.responsible_department_id)
    ):
        raise PermissionDenied(_("Only the responsible department reports the result."))
    _require_status(complaint, Complaint.Status.EXECUTING)
    complaint.result = _text(result, "result", _("Describe what was done."))
    complaint.result_at = timezone.now()
    _move(
        complaint,
        Complaint.Status.RESULT_RETURNED,
        user,
        "complaint.result",
        _("Result returned to the center"),
    )
    return complaint


@transaction.atomic
def inform_customer(complaint, *, user) -> Complaint:
    """The customer is told the result; the mandatory callback becomes due."""
    _require(user, CENTER_ROLES, _("Only service-center staff inform the customer."))
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    _require_status(complaint, Complaint.Status.RESULT_RETURNED)
    now = timezone.now()
    complaint.informed_at = now
    complaint.callback_due_at = now + CALLBACK_WITHIN
    _move(
        complaint,
        Complaint.Status.AWAITING_CALLBACK,
        user,
        "complaint.informed",
        _("Customer informed of the result; callback due"),
    )
    due_at = complaint.callback_due_at
    # A callback task belongs to a customer file; without one the center
    # records the callback by hand on the complaint page.
    if complaint.customer_id is None:
        return complaint
    transaction.on_commit(
        lambda: complaint_awaiting_callback.send(
            sender=Complaint, complaint=complaint, due_at=due_at, user=user
        )
    )
    return complaint


@transaction.atomic
def record_callback(complaint, *, user, satisfaction, note="") -> Complaint:
    """The callback's result: satisfied closes the complaint, dissatisfied
    sends it back to handling (a new plan is needed)."""
    _require_visible(user, complaint)
    _require(user, CENTER_ROLES, _("Only service-center staff record callbacks."))
    complaint = _lock(complaint)
    _require_status(complaint, Complaint.Status.AWAITING_CALLBACK)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose the customer's satisfaction.")]})
    complaint.satisfaction = satisfaction
    complaint.callback_note = (note or "").strip()
    if satisfaction in DISSATISFIED:
        complaint.result_at = complaint.informed_at = complaint.callback_due_at = None
        _move(
            complaint,
            Complaint.Status.HANDLING,
            user,
            "complaint.callback_dissatisfied",
            _("Customer dissatisfied at the callback; back to handling"),
            satisfaction=satisfaction,
        )
    else:
        complaint.closed_at = timezone.now()
        _move(
            complaint,
            Complaint.Status.CLOSED,
            user,
            "complaint.closed",
            _("Callback done; complaint closed"),
            satisfaction=satisfaction,
        )
    return complaint


@transaction.atomic
def record_root_cause(complaint, *, user, root_cause) -> Complaint:
    _require(user, JUDGE_ROLES, _("Only a supervisor records the root cause."))
    _require_visible(user, complaint)
    complaint = _lock(complaint)
    root_cause = _text(root_cause, "root_cause", _("Describe the root cause."))
    before = {"root_cause": complaint.root_cause}
    complaint.root_cause = root_cause
    complaint.save()
    _record(
        complaint,
        "complaint.root_cause",
        user,
        _("Root cause analysed"),
        before,
        {"root_cause": root_cause},
    )
    return complaint


@transaction.atomic
def add_action(complaint, *, user, description, owner, due_date) -> CorrectiveAction:
    """改善方案: a corrective action with an owner and a due date."""
    _require(user, JUDGE_ROLES, _("Only a supervisor plans corrective actions."))
    _require_visible(user, complaint)
    errors = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe the corrective action.")]
    if not isinstance(owner, User) or not scoping.can_see_unit(user, owner.unit):
        errors["owner"] = [_("Choose an owner in your units.")]
    if due_date is None:
        errors["due_date"] = [_("Enter a due date.")]
    elif due_date < timezone.localdate():
        errors["due_date"] = [_("The due date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    action = CorrectiveAction.objects.create(
        complaint=complaint, description=description.strip(), owner=owner, due_date=due_date
    )
    _record(
        complaint,
        "complaint.action_added",
        user,
        _("Corrective action for %(owner)s by %(due)s: %(action)s")
        % {"owner": owner.display_name, "due": due_date, "action": action.description},
        after={"action": action.pk, "owner": owner.username, "due_date": str(due_date)},
    )
    return action


@transaction.atomic
def complete_action(action, *, user) -> CorrectiveAction:
    _require_visible(user, action.complaint)
    if user.pk != action.owner_id and not _has_role(user, JUDGE_ROLES):
        raise PermissionDenied(_("Only the owner completes a corrective action."))
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.status != CorrectiveAction.Status.OPEN:
        raise ValidationError({"status": [_("This action is not open.")]})
    action.status = CorrectiveAction.Status.DONE
    action.done_at = timezone.now()
    action.save()
    _record(
        action.complaint,
        "complaint.action_done",
        user,
        _("Corrective action done: %(action)s") % {"action": action.description},
        {"action": action.pk, "status": CorrectiveAction.Status.OPEN},
        {"action": action.pk, "status": action.status},
    )
    return action


@transaction.atomic
def verify_action(action, *, user, verification) -> CorrectiveAction:
    """Someone other than the owner checks the action worked."""
    _require(user, APPROVER_ROLES, _("Only a supervisor verifies corrective actions."))
    _require_visible(user, action.complaint)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.status != CorrectiveAction.Status.DONE:
        raise ValidationError({"status": [_("Only a completed action can be verified.")]})
    action.verification = _text(verification, "verification", _("Describe how it was verified."))
    action.status = CorrectiveAction.Status.VERIFIED
    action.verified_by = user
    action.verified_at = timezone.now()
    action.save()
    _record(
        action.complaint,
        "complaint.action_verified",
        user,
        _("Corrective action verified: %(verification)s") % {"verification": action.verification},
        {"action": action.pk, "status": CorrectiveAction.Status.DONE},
        {"action": action.pk, "status": action.status},
    )
    return action
