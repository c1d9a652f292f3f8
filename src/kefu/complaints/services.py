"""The rules of complaint handling. Views, the API and the demo call these;
each checks role and unit scope, validates before writing and records every
change on the timeline."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import numbering, scoping, timeline
from kefu.core.choices import DISSATISFIED, Satisfaction
from kefu.core.models import Department, User
from kefu.core.notifications import Notification, notify
from kefu.core.roles import Role

from .models import Category, Channel, Complaint, CorrectiveAction, ResolutionPlan, Severity
from .signals import complaint_awaiting_callback

NUMBER_PREFIX = "TS"
HANDLING_TARGET = timedelta(hours=48)
OUTSIDE_REPLY_TARGET = timedelta(days=3)
OUTSIDE_CLOSE_TARGET = timedelta(days=10)
CALLBACK_TARGET = timedelta(days=3)

JUDGE_ROLES = frozenset({Role.SENIOR_AGENT, Role.SUPERVISOR, Role.MANAGER})
APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
SEVERE_APPROVER_ROLES = frozenset({Role.MANAGER})

S = Complaint.Status


def visible_complaints(user):
    if not (user.is_center_staff or user.is_handler):
        return Complaint.objects.none()
    return scoping.scope_by_unit(Complaint.objects.all(), user)


def _has_role(user, roles):
    return user.is_superuser or user.role in roles


def may_judge(user):
    return _has_role(user, JUDGE_ROLES)


def may_approve(user, complaint):
    return _has_role(user, SEVERE_APPROVER_ROLES if complaint.is_severe else APPROVER_ROLES)


def _check_scope(user, complaint):
    if not scoping.can_see_unit(user, complaint.unit):
        raise PermissionDenied(_("This complaint is outside your units."))


def _check_status(complaint, *allowed):
    if complaint.status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("This is not possible while the complaint is “%s”.")
                    % complaint.get_status_display()
                ]
            }
        )


def _lock(complaint):
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _text(value):
    return (value or "").strip()


def _require(errors, field, value, message):
    if not value:
        errors[field] = [message]


def _record(complaint, verb, user, message="", before=None, after=None):
    timeline.record(
        complaint,
        verb,
        actor=user,
        customer=complaint.customer,
        message=message,
        before=before,
        after=after,
    )


def _leadership(unit):
    """Center managers of the complaint's unit and of the units above it."""
    ancestors = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/" and i > 0]
    return User.objects.filter(role=Role.MANAGER, is_active=True, unit__path__in=ancestors)


def _report_to_leadership(complaint):
    notify(
        _leadership(complaint.unit),
        title=_("Severe complaint %(number)s: %(severity)s")
        % {"number": complaint.number, "severity": complaint.get_severity_display()},
        body=complaint.content[:300],
        url=complaint.get_absolute_url(),
        level=Notification.Level.DANGER,
    )


def _outside_targets(complaint, department, start):
    if department is not None and department.kind == Department.Kind.EXTERNAL:
        complaint.outside_reply_due_at = start + OUTSIDE_REPLY_TARGET
        complaint.outside_close_due_at = start + OUTSIDE_CLOSE_TARGET


@transaction.atomic
def register(
    *,
    user,
    unit,
    channel,
    content,
    category,
    complainant_name="",
    severity=Severity.ORDINARY,
    customer=None,
    create_customer=False,
    complainant_phone="",
    received_at=None,
    accused_department=None,
    accused_person="",
    expected_resolution="",
    work_order=None,
):
    """The complaint registration form (客户投诉登记表). The complainant is a
    known customer, becomes one (``create_customer``), or stays a name."""
    if not user.is_center_staff:
        raise PermissionDenied(_("Only service-center staff register complaints."))
    if unit is None or not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("You cannot register complaints in this unit."))
    now = timezone.now()
    received_at = received_at or now
    complainant_name = _text(complainant_name) or (customer.name if customer else "")
    errors = {}
    _require(errors, "complainant_name", complainant_name, _("Enter the complainant's name."))
    _require(errors, "content", _text(content), _("Describe the complaint."))
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel.")]
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if received_at > now + timedelta(minutes=5):
        errors["received_at"] = [_("The complaint cannot have been received in the future.")]
    if customer is not None and not scoping.can_see_unit(user, customer.unit):
        errors["customer"] = [_("This customer is outside your units.")]
    if work_order is not None and not scoping.can_see_unit(user, work_order.unit):
        errors["work_order"] = [_("This work order is outside your units.")]
    if (
        accused_department is not None
        and not scoping.visible_departments(user).filter(pk=accused_department.pk).exists()
    ):
        errors["accused_department"] = [_("This department is outside your units.")]
    if errors:
        raise ValidationError(errors)
    if customer is None and create_customer:
        from kefu.customers.services import create_customer as new_customer

        phones = [complainant_phone] if _text(complainant_phone) else []
        customer = new_customer(user=user, unit=unit, name=complainant_name, phone_numbers=phones)
    complaint = Complaint.objects.create(
        number=numbering.next_number(NUMBER_PREFIX),
        unit=unit,
        customer=customer,
        complainant_name=complainant_name,
        complainant_phone=_text(complainant_phone),
        received_at=received_at,
        channel=channel,
        content=_text(content),
        category=category,
        accused_department=accused_department,
        accused_person=_text(accused_person),
        severity=severity,
        expected_resolution=_text(expected_resolution),
        work_order=work_order,
        registered_by=user,
        due_at=received_at + HANDLING_TARGET,
    )
    _outside_targets(complaint, accused_department, received_at)
    complaint.save(update_fields=["outside_reply_due_at", "outside_close_due_at"])
    _record(
        complaint,
        "complaint.registered",
        user,
        message=complaint.content,
        after={
            "status": complaint.status,
            "severity": complaint.severity,
            "category": complaint.category,
            "channel": complaint.channel,
        },
    )
    if complaint.is_severe:
        _report_to_leadership(complaint)
    return complaint


@transaction.atomic
def judge(
    complaint,
    *,
    user,
    justified,
    explanation="",
    responsible_department=None,
    responsible_person="",
    apology="",
    promised_days=None,
):
    """投诉判断. Unjustified (无责): the explanation is recorded and the
    complaint closes with the customer's understanding. Justified (有责): the
    responsible department, the apology and the time asked of the customer."""
    if not may_judge(user):
        raise PermissionDenied(_("Only a supervisor or senior agent judges complaints."))
    _check_scope(user, complaint)
    complaint = _lock(complaint)
    _check_status(complaint, S.REGISTERED)
    errors = {}
    if justified is None:
        errors["justified"] = [_("Decide whether the complaint is justified.")]
    elif not justified:
        _require(
            errors,
            "explanation",
            _text(explanation),
            _("Record the explanation given to the customer."),
        )
    else:
        _require(
            errors,
            "responsible_department",
            responsible_department,
            _("Choose the responsible department."),
        )
        _require(errors, "apology", _text(apology), _("Record the apology made to the customer."))
        if not promised_days or promised_days < 1:
            errors["promised_days"] = [
                _("Tell the customer how many days the investigation takes.")
            ]
        if (
            responsible_department is not None
            and not scoping.visible_departments(user).filter(pk=responsible_department.pk).exists()
        ):
            errors["responsible_department"] = [_("This department is outside your units.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = {"status": complaint.status, "justified": complaint.justified}
    complaint.justified = justified
    complaint.judged_by = user
    complaint.judged_at = now
    complaint.explanation = _text(explanation)
    if justified:
        complaint.responsible_department = responsible_department
        complaint.responsible_person = _text(responsible_person)
        complaint.apology = _text(apology)
        complaint.promised_days = promised_days
        complaint.status = S.HANDLING
        if complaint.outside_reply_due_at is None:
            _outside_targets(complaint, responsible_department, now)
    else:
        complaint.status = S.CLOSED
        complaint.closed_at = now
    complaint.save()
    after = {"status": complaint.status, "justified": justified}
    if justified:
        after["responsible_department"] = str(responsible_department)
        after["promised_days"] = promised_days
    _record(
        complaint,
        "complaint.judged",
        user,
        message=complaint.apology if justified else complaint.explanation,
        before=before,
        after=after,
    )
    return complaint


def _amount(value):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or amount < 0 or not amount.is_finite():
        raise ValidationError({"compensation_amount": [_("Enter a non-negative amount.")]})
    return amount


@transaction.atomic
def propose_plan(
    complaint, *, user, department, proposal, compensation_kind="", compensation_amount=None
):
    """A department's proposal for resolving a justified complaint."""
    # Department staff propose for their own department, wherever the
    # complaint was registered; center staff enter proposals for any
    # department they can see.
    own_department = user.is_handler and user.department_id == getattr(department, "pk", None)
    if not (user.is_center_staff or own_department):
        raise PermissionDenied(_("You cannot propose plans for this department."))
    if user.is_center_staff:
        _check_scope(user, complaint)
    complaint = _lock(complaint)
    _check_status(complaint, S.HANDLING)
    errors = {}
    _require(errors, "department", department, _("Choose the proposing department."))
    if (
        department is not None
        and not own_department
        and not scoping.visible_departments(user).filter(pk=department.pk).exists()
    ):
        errors["department"] = [_("This department is outside your units.")]
    _require(errors, "proposal", _text(proposal), _("Describe the proposed resolution."))
    amount = None
    try:
        amount = _amount(compensation_amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if amount is not None and not _text(compensation_kind):
        errors["compensation_kind"] = [_("Say what kind of compensation the amount is for.")]
    if errors:
        raise ValidationError(errors)
    plan = ResolutionPlan.objects.create(
        complaint=complaint,
        department=department,
        proposal=_text(proposal),
        compensation_kind=_text(compensation_kind),
        compensation_amount=amount,
        proposed_by=user,
    )
    _record(
        complaint,
        "complaint.plan_proposed",
        user,
        message=plan.proposal,
        after={
            "plan": plan.pk,
            "department": str(department),
            "compensation": plan.compensation_kind,
            "amount": str(amount) if amount is not None else "",
        },
    )
    return plan


@transaction.atomic
def decide_plan(plan, *, user, approve, comment=""):
    """主管批示: the supervisor (the center manager for severe complaints)
    approves one plan, which the department then executes, or rejects it."""
    complaint = plan.complaint
    _check_scope(user, complaint)
    if not may_approve(user, complaint):
        if complaint.is_severe:
            raise PermissionDenied(
                _("Only the center manager approves plans of severe complaints.")
            )
        raise PermissionDenied(_("Only a supervisor approves resolution plans."))
    complaint = _lock(complaint)
    plan = ResolutionPlan.objects.select_for_update().get(pk=plan.pk)
    _check_status(complaint, S.HANDLING)
    if plan.status != ResolutionPlan.Status.PROPOSED:
        raise ValidationError({"plan": [_("This plan has already been decided.")]})
    if not approve and not _text(comment):
        raise ValidationError({"comment": [_("Say why the plan is rejected.")]})
    plan.status = ResolutionPlan.Status.APPROVED if approve else ResolutionPlan.Status.REJECTED
    plan.decided_by = user
    plan.decided_at = timezone.now()
    plan.decision_comment = _text(comment)
    plan.save()
    before = {"status": complaint.status, "plan_status": ResolutionPlan.Status.PROPOSED}
    if approve:
        complaint.status = S.EXECUTING
        complaint.save(update_fields=["status"])
    _record(
        complaint,
        "complaint.plan_approved" if approve else "complaint.plan_rejected",
        user,
        message=plan.decision_comment,
        before=before,
        after={"status": complaint.status, "plan": plan.pk, "plan_status": plan.status},
    )
    return plan


@transaction.atomic
def record_result(complaint, *, user, result):
    """The department's result is back and the customer has been told; the
    mandatory callback is now due."""
    if not (user.is_center_staff or user.is_handler):
        raise PermissionDenied(_("You cannot record results of complaints."))
    _check_scope(user, complaint)
    complaint = _lock(complaint)
    _check_status(complaint, S.EXECUTING)
    if not _text(result):
        raise ValidationError({"result": [_("Describe the result given to the customer.")]})
    now = timezone.now()
    before = {"status": complaint.status}
    complaint.result = _text(result)
    complaint.informed_at = now
    complaint.callback_due_at = now + CALLBACK_TARGET
    complaint.status = S.AWAITING_CALLBACK
    complaint.save()
    _record(
        complaint,
        "complaint.result",
        user,
        message=complaint.result,
        before=before,
        after={"status": complaint.status, "callback_due_at": now.isoformat()},
    )
    complaint_awaiting_callback.send(
        sender=Complaint, complaint=complaint, due_at=complaint.callback_due_at, user=user
    )
    return complaint


def _apply_callback(complaint, *, user, satisfaction, note):
    """Satisfied (or neutral) closes the complaint; dissatisfied sends it back
    to handling, where a new plan is needed."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose the customer's satisfaction.")]})
    complaint = _lock(complaint)
    _check_status(complaint, S.AWAITING_CALLBACK)
    before = {"status": complaint.status}
    complaint.satisfaction = satisfaction
    complaint.callback_note = _text(note)
    if satisfaction in DISSATISFIED:
        complaint.status = S.HANDLING
        verb = "complaint.reopened"
    else:
        complaint.status = S.CLOSED
        complaint.closed_at = timezone.now()
        verb = "complaint.closed"
    complaint.save()
    _record(
        complaint,
        verb,
        user,
        message=complaint.callback_note,
        before=before,
        after={"status": complaint.status, "satisfaction": satisfaction},
    )
    return complaint


@transaction.atomic
def record_callback(complaint, *, user, satisfaction, note=""):
    """The callback result entered by hand on the complaint page."""
    if not user.is_center_staff:
        raise PermissionDenied(_("Only service-center staff record callbacks."))
    _check_scope(user, complaint)
    return _apply_callback(complaint, user=user, satisfaction=satisfaction, note=note)


@transaction.atomic
def callback_completed(*, subject, satisfaction, note="", user=None, **kwargs):
    """Receiver of ``kefu.callbacks.signals.callback_completed``: the callback
    module has already checked who called, so only the state is checked."""
    # A callback that reached nobody carries no satisfaction: the complaint waits on.
    if not isinstance(subject, Complaint) or not satisfaction:
        return None
    if Complaint.objects.get(pk=subject.pk).status != S.AWAITING_CALLBACK:
        return None
    return _apply_callback(subject, user=user, satisfaction=satisfaction, note=note)


@transaction.atomic
def set_root_cause(complaint, *, user, root_cause):
    """原因分析."""
    if not may_analyse(user):
        raise PermissionDenied(_("You cannot record root causes."))
    _check_scope(user, complaint)
    complaint = _lock(complaint)
    if not _text(root_cause):
        raise ValidationError({"root_cause": [_("Describe the root cause.")]})
    before = {"root_cause": complaint.root_cause}
    complaint.root_cause = _text(root_cause)
    complaint.save(update_fields=["root_cause"])
    _record(
        complaint,
        "complaint.root_cause",
        user,
        message=complaint.root_cause,
        before=before,
        after={"root_cause": complaint.root_cause},
    )
    return complaint


@transaction.atomic
def add_corrective_action(complaint, *, user, description, owner, due_date):
    """改善方案: an action with an owner and a due date, verified later."""
    if not may_analyse(user):
        raise PermissionDenied(_("You cannot plan corrective actions."))
    _check_scope(user, complaint)
    errors = {}
    _require(errors, "description", _text(description), _("Describe the corrective action."))
    _require(errors, "owner", owner, _("Choose the owner of the action."))
    _require(errors, "due_date", due_date, _("Enter the due date."))
    if owner is not None and not (
        scoping.can_see_unit(user, owner.unit) or scoping.can_see_unit(owner, complaint.unit)
    ):
        errors["owner"] = [_("The owner must work in your units.")]
    if errors:
        raise ValidationError(errors)
    action = CorrectiveAction.objects.create(
        complaint=complaint, description=_text(description), owner=owner, due_date=due_date
    )
    _record(
        complaint,
        "complaint.action_planned",
        user,
        message=action.description,
        after={"action": action.pk, "owner": str(owner), "due_date": due_date.isoformat()},
    )
    return action


@transaction.atomic
def verify_action(action, *, user, verification):
    complaint = action.complaint
    if not _has_role(user, JUDGE_ROLES | {Role.QA}):
        raise PermissionDenied(_("Only a supervisor or QA inspector verifies corrective actions."))
    _check_scope(user, complaint)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.verified_at is not None:
        raise ValidationError({"verification": [_("This action has already been verified.")]})
    if not _text(verification):
        raise ValidationError({"verification": [_("Describe how the action was verified.")]})
    action.verified_at = timezone.now()
    action.verified_by = user
    action.verification = _text(verification)
    action.save()
    _record(
        complaint,
        "complaint.action_verified",
        user,
        message=action.verification,
        before={"verified": False},
        after={"action": action.pk, "verified": True},
    )
    return action


def may_analyse(user):
    return user.is_supervising or _has_role(user, {Role.QA, Role.SENIOR_AGENT})
