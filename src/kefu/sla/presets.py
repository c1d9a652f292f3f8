"""Default SLA policies from the seeds' service promises, created once."""

# name, conditions, first response, next update, resolution (minutes), business time
DEFAULT_POLICIES = [
    ("重点客户", {"segments": ["key"]}, 30, 8 * 60, 24 * 60, False),
    ("紧急工单", {"priorities": ["urgent"]}, 30, 2 * 60, 8 * 60, True),
    ("投诉 48 小时处理", {"order_types": ["complaint"]}, 2 * 60, 24 * 60, 48 * 60, False),
    ("邮件 24 小时答复", {"channels": ["email"]}, 24 * 60, None, 3 * 24 * 60, False),
    ("一般工单", {}, 4 * 60, None, 24 * 60, True),
]

# role, minutes after the breach
DEFAULT_LADDER = [("team_lead", 0), ("supervisor", 120), ("manager", 480)]


def install_default_policies(**kwargs):
    from kefu.sla.models import EscalationLevel, SlaPolicy
    from kefu.workorders.models import WorkOrderType

    if SlaPolicy.objects.exists():
        return
    for position, (name, conditions, first, update, resolution, business) in enumerate(
        DEFAULT_POLICIES
    ):
        policy = SlaPolicy.objects.create(
            name=name,
            position=(position + 1) * 10,
            first_response_minutes=first,
            next_update_minutes=update,
            resolution_minutes=resolution,
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
