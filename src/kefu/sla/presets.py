"""Default SLA policies from the seeds' service promises. Each subject's
defaults are installed once, when it has no policy yet, so a database that
had work-order policies before complaints ran on the engine gets the
complaint policy at its next migrate."""

from django.core.exceptions import FieldDoesNotExist

from kefu.sla.models import Subject

DAY = 24 * 60

# name, subject, conditions, targets in minutes, business time
DEFAULT_POLICIES = [
    (
        "重点客户",
        Subject.WORK_ORDER,
        {"segments": ["key"]},
        {"first_response": 30, "next_update": 8 * 60, "resolution": DAY},
        False,
    ),
    (
        "紧急工单",
        Subject.WORK_ORDER,
        {"priorities": ["urgent"]},
        {"first_response": 30, "next_update": 2 * 60, "resolution": 8 * 60},
        True,
    ),
    (
        "投诉 48 小时处理",
        Subject.WORK_ORDER,
        {"order_types": ["complaint"]},
        {"first_response": 2 * 60, "next_update": DAY, "resolution": 2 * DAY},
        False,
    ),
    (
        "邮件 24 小时答复",
        Subject.WORK_ORDER,
        {"channels": ["email"]},
        {"first_response": DAY, "resolution": 3 * DAY},
        False,
    ),
    ("一般工单", Subject.WORK_ORDER, {}, {"first_response": 4 * 60, "resolution": DAY}, True),
    # SPEC §2.4: handled within 48 hours; outside parties 3 days to reply, 10 to close.
    (
        "客户投诉",
        Subject.COMPLAINT,
        {},
        {"resolution": 2 * DAY, "outside_reply": 3 * DAY, "outside_close": 10 * DAY},
        False,
    ),
]

# role, minutes after the breach
DEFAULT_LADDER = [("team_lead", 0), ("supervisor", 120), ("manager", 480)]


def install_default_policies(apps=None, **kwargs):
    from kefu.sla.models import EscalationLevel, SlaPolicy
    from kefu.workorders.models import WorkOrderType

    # After a partial migrate (a rollback, say) the tables may be older than
    # the models; the migration state passed in as ``apps`` tells.
    if apps is not None:
        try:
            apps.get_model("sla", "SlaPolicy")._meta.get_field("outside_close_minutes")
        except (LookupError, FieldDoesNotExist):
            return
    present = set(SlaPolicy.objects.values_list("subject", flat=True).distinct())
    for position, (name, subject, conditions, targets, business) in enumerate(DEFAULT_POLICIES):
        if subject in present:
            continue
        policy = SlaPolicy.objects.create(
            name=name,
            subject=subject,
            position=(position + 1) * 10,
            first_response_minutes=targets.get("first_response"),
            next_update_minutes=targets.get("next_update"),
            resolution_minutes=targets.get("resolution"),
            outside_reply_minutes=targets.get("outside_reply"),
            outside_close_minutes=targets.get("outside_close"),
            business_time=business,
            priorities=conditions.get("priorities", []),
            segments=conditions.get("segments", []),
            channels=conditions.get("channels", []),
        )
        if "order_types" in conditions:
            policy.order_types.set(WorkOrderType.objects.filter(code__in=conditions["order_types"]))
        for level, (role, delay) in enumerate(DEFAULT_LADDER, start=1):
            EscalationLevel.objects.create(
                policy=policy, level=level, role=role, delay_minutes=delay
            )
