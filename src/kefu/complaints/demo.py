"""Demo complaints for ``kefu load_demo``: each site's complaints of the last
three months, in every state, walked through the services so that numbers,
timeline and notifications are real; the handling times are then spread out
so the analytics have a history to show."""

from datetime import timedelta

from django.utils import timezone

from kefu.core.roles import Role

from . import services
from .models import Category, Channel, Complaint, Severity

CASES = [
    (Category.ATTITUDE, "维修师傅上门时态度生硬，不听解释就走了。", "送花致歉并对师傅进行服务培训"),
    (Category.REPAIR, "热水器修过两次还是不出热水，耽误了一周。", "更换主板并免收本次维修费"),
    (Category.DELAY, "报修三天没人联系，电话一直打不通。", "当日派单上门，赠送一次免费保养"),
    (Category.BILLING, "物业费账单多收了一个月的费用。", "核对后退还多收费用"),
    (Category.PRODUCT, "新买的冰箱冷藏室不制冷。", "七日内包换新机"),
    (Category.DELIVERY, "送货人员迟到四小时且未提前通知。", "赠送购物券并改进送货预约"),
    (Category.MANAGEMENT, "小区垃圾清运不及时，楼道有异味。", "增加清运频次并由主管检查"),
]
NAMES = ["王芳", "李强", "张敏", "刘洋", "陈晨", "杨磊", "赵丽", "黄勇", "周婷", "吴刚"]
CAUSES = ["派工未预留路程时间", "配件库存不足导致返修", "回访制度未落实", "收费系统未同步减免"]


def _people(organisation, unit, roles):
    return [
        u
        for u in organisation.users.values()
        if u.role in roles and u.unit_id is not None and unit.path.startswith(u.unit.path)
    ]


def load(organisation, rng, now):
    # The demo's clock may run ahead of the real one; a complaint cannot be
    # received in the future.
    now = min(now, timezone.now())
    for staff in organisation.sites:
        agents = staff.agents
        judges = _people(organisation, staff.center, {Role.SUPERVISOR, Role.SENIOR_AGENT})
        supervisors = _people(organisation, staff.center, {Role.SUPERVISOR})
        managers = _people(organisation, staff.center, {Role.MANAGER})
        departments = list(staff.departments.values())
        if not agents or not judges or not supervisors or not departments:
            continue
        for _ in range(14):
            _one(rng, now, staff, agents, judges, (supervisors, managers), departments)


def _one(rng, now, staff, agents, judges, approvers, departments):
    category, content, plan = rng.choice(CASES)
    received = now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 600))
    severity = rng.choices(list(Severity.values), weights=[80, 12, 5, 3])[0]
    department = rng.choice(departments)
    complaint = services.register(
        user=rng.choice(agents),
        unit=staff.center,
        complainant_name=rng.choice(NAMES),
        complainant_phone=f"139{rng.randint(10000000, 99999999)}",
        channel=rng.choices(list(Channel.values), weights=[60, 5, 10, 8, 10, 5, 2])[0],
        content=content,
        category=category,
        severity=severity,
        accused_department=department,
        received_at=received,
    )
    stage = rng.random()
    judge = rng.choice(judges)
    if stage < 0.1:
        return
    if stage < 0.35:
        services.judge(
            complaint,
            user=judge,
            justified=False,
            explanation="已向客户说明相关规定，客户表示理解。",
        )
    else:
        services.judge(
            complaint,
            user=judge,
            justified=True,
            responsible_department=department,
            responsible_person=rng.choice(NAMES),
            apology="代表公司向您诚挚道歉，我们会尽快调查处理。",
            promised_days=rng.randint(1, 3),
        )
        compensated = rng.random() < 0.5
        proposal = services.propose_plan(
            complaint,
            user=judge,
            department=department,
            proposal=plan,
            compensation_kind="费用减免" if compensated else "",
            compensation_amount=rng.choice([100, 200, 300]) if compensated else None,
        )
        if stage > 0.45:
            supervisors, managers = approvers
            if complaint.is_severe and not managers:
                _spread(complaint, received, rng)
                return
            approver = rng.choice(managers if complaint.is_severe else supervisors)
            services.decide_plan(proposal, user=approver, approve=True, comment="同意，按时完成")
            if stage > 0.55:
                services.record_result(complaint, user=judge, result="已按方案处理并告知客户")
                if stage > 0.65:
                    satisfaction = "dissatisfied" if rng.random() < 0.1 else "satisfied"
                    services.record_callback(
                        complaint, user=judge, satisfaction=satisfaction, note="客户认可处理结果"
                    )
                    if rng.random() < 0.4:
                        services.set_root_cause(
                            complaint, user=judge, root_cause=rng.choice(CAUSES)
                        )
    _spread(complaint, received, rng)


def _spread(complaint, received, rng):
    """Move the handling times from the moment of loading back into the history."""
    complaint.refresh_from_db()
    judged = received + timedelta(hours=rng.uniform(0.5, 30))
    fields = {"judged_at": judged}
    if complaint.closed_at is not None:
        fields["closed_at"] = judged + timedelta(hours=rng.uniform(1, 96))
    if complaint.informed_at is not None:
        fields["informed_at"] = judged + timedelta(hours=rng.uniform(1, 48))
    Complaint.objects.filter(pk=complaint.pk).update(**fields)
