"""The buttons of the complaint page: for each action its form, the service
it calls and whether it is offered to this user now. The page and the view
that receives the post read the same table, so what is shown is what works."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.complaints import forms, services
from kefu.complaints.models import Complaint
from kefu.core.roles import CENTER_ROLES, Role

S = Complaint.Status


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    icon: str
    colour: str
    form: type
    statuses: frozenset
    roles: frozenset | None  # None: decided by ``allowed`` alone
    run: Callable
    needs_user_in_form: bool = False

    def offered(self, complaint, user):
        if complaint.status not in self.statuses:
            return False
        if self.code == "result" and user.role == Role.HANDLER:
            return user.department_id == complaint.responsible_department_id
        if self.code == "plan" and user.role == Role.HANDLER:
            return True
        return user.is_superuser or user.role in self.roles


ALL_OPEN = frozenset(services.OPEN_STATUSES)
ACTIONS = [
    Action(
        "justified",
        _("Justified (有责)"),
        "gavel",
        "red",
        forms.JustifiedForm,
        frozenset({S.REGISTERED}),
        services.JUDGE_ROLES,
        lambda c, u, d: services.judge_justified(c, user=u, **d),
        needs_user_in_form=True,
    ),
    Action(
        "unjustified",
        _("Unjustified (无责)"),
        "mood-smile",
        "green",
        forms.UnjustifiedForm,
        frozenset({S.REGISTERED}),
        services.JUDGE_ROLES,
        lambda c, u, d: services.judge_unjustified(c, user=u, **d),
    ),
    Action(
        "plan",
        _("Propose a plan"),
        "bulb",
        "blue",
        forms.PlanForm,
        frozenset({S.HANDLING}),
        services.JUDGE_ROLES,
        lambda c, u, d: services.propose_plan(c, user=u, **d),
        needs_user_in_form=True,
    ),
    Action(
        "manager_approve",
        _("Center manager approves"),
        "shield-check",
        "purple",
        forms.CommentForm,
        frozenset({S.AWAITING_MANAGER}),
        services.LEADERSHIP_ROLES,
        lambda c, u, d: services.manager_approve(c, user=u, **d),
    ),
    Action(
        "compensation",
        _("Record compensation"),
        "currency-yen",
        "orange",
        forms.CompensationForm,
        frozenset({S.HANDLING, S.AWAITING_MANAGER, S.EXECUTING, S.RESULT_RETURNED}),
        services.APPROVER_ROLES,
        lambda c, u, d: services.record_compensation(c, user=u, **d),
    ),
    Action(
        "result",
        _("Report the result"),
        "clipboard-check",
        "teal",
        forms.ResultForm,
        frozenset({S.EXECUTING}),
        CENTER_ROLES,
        lambda c, u, d: services.record_result(c, user=u, **d),
    ),
    Action(
        "inform",
        _("Customer informed"),
        "message-reply",
        "cyan",
        forms.ConfirmForm,
        frozenset({S.RESULT_RETURNED}),
        CENTER_ROLES,
        lambda c, u, d: services.inform_customer(c, user=u),
    ),
    Action(
        "callback",
        _("Record the callback"),
        "phone-outgoing",
        "green",
        forms.CallbackForm,
        frozenset({S.AWAITING_CALLBACK}),
        CENTER_ROLES,
        lambda c, u, d: services.record_callback(c, user=u, **d),
    ),
    Action(
        "root_cause",
        _("Root cause"),
        "search",
        "yellow",
        forms.RootCauseForm,
        frozenset(S),
        services.JUDGE_ROLES,
        lambda c, u, d: services.record_root_cause(c, user=u, **d),
    ),
    Action(
        "add_action",
        _("Corrective action"),
        "tool",
        "indigo",
        forms.ActionForm,
        frozenset(S),
        services.JUDGE_ROLES,
        lambda c, u, d: services.add_action(c, user=u, **d),
        needs_user_in_form=True,
    ),
]
BY_CODE = {a.code: a for a in ACTIONS}


def make_form(action, user, data=None, prefix=True):
    """Web pages prefix the fields (several forms share one page); the API does not."""
    kwargs = {"user": user} if action.needs_user_in_form else {}
    return action.form(data, prefix=action.code if prefix else None, **kwargs)


def offered(complaint, user):
    return [a for a in ACTIONS if a.offered(complaint, user)]
