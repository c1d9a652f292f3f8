"""Demo complaints (Chinese, deterministic for the rng): for every site a
few months of complaints walked through the real services under the
simulated clock: unjustified ones closed with an explanation, justified ones
through plans, approvals, compensation, callbacks (some dissatisfied) and
root causes, and the recent ones still open at every step."""

from datetime import timedelta

from kefu.complaints import services
from kefu.complaints.models import Complaint, ComplaintCategory
from kefu.core import scoping
from kefu.core.choices import Satisfaction
from kefu.core.roles import Role
from kefu.customers.models import Customer
from kefu.demo.clock import SimulatedClock

PER_SITE = 16
STORIES = {
    "服务态度": ["客服电话中语气生硬，多次打断客户说话", "维修师傅上门时态度恶劣，与业主发生争执"],
    "产品质量": ["新买的热水器使用两周漏水", "空调外机噪音过大，影响休息"],
    "维修质量": ["报修三次仍未修好，漏水持续", "维修后门锁反而无法正常使用"],
    "上门及时性": ["约定上午上门，下午四点仍未到", "报修后三天无人联系"],
    "收费争议": ["维修收费与报价不符，多收两百元", "物业费账单重复扣款"],
    "配送安装": ["送货时磕坏家具，师傅拒绝处理", "安装完毕未清理现场"],
    "其他": ["小区公告未及时通知停水", "门岗拒绝快递进入小区"],
}
EXPLANATIONS = [
    "已向客户说明保修条款，客户表示理解",
    "经核实为客户误解收费标准，已耐心解释，客户认可",
]
PLANS = ["免费重新上门维修并赠送一次保养", "退还多收费用并书面致歉", "更换新机并由主管回访"]
ROOT_CAUSES = [
    "派工排班不合理，高峰时段人手不足",
    "新员工未经充分培训即上岗",
    "收费标准未在现场公示",
]
ACTIONS = ["调整高峰时段排班", "组织服务礼仪培训并考核", "在服务现场公示收费标准"]


def _people(organisation, role, unit):
    return [
        u
        for u in organisation.users.values()
        if u.role == role and u.is_active and scoping.can_see_unit(u, unit)
    ]


def load(organisation, rng, now):
    categories = {c.name: c for c in ComplaintCategory.objects.all()}
    for staff in organisation.sites:
        if not staff.agents:
            continue
        agent = staff.agents[0]
        judges = _people(organisation, Role.SUPERVISOR, agent.unit)
        managers = _people(organisation, Role.MANAGER, agent.unit)
        if not judges:
            continue
        customers = list(scoping.scope_by_unit(Customer.objects.order_by("pk"), agent)[:300])
        departments = list(scoping.visible_departments(judges[0]).filter(unit=staff.unit))
        departments = departments or list(scoping.visible_departments(judges[0]))
        for i in range(PER_SITE):
            _one(
                i,
                staff,
                agent,
                rng.choice(judges),
                managers,
                customers,
                departments,
                categories,
                rng,
                now,
            )


def _one(i, staff, agent, judge, managers, customers, departments, categories, rng, now):
    # A third are recent, so the open steps have examples too.
    age_days = rng.uniform(0.2, 6) if rng.random() < 0.35 else rng.uniform(7, 170)
    at = now - timedelta(days=age_days)
    clock = SimulatedClock(at)

    def step(hours):
        clock.now = min(now, clock.now + timedelta(hours=hours))

    name = rng.choice(sorted(STORIES))
    severity = rng.choices(list(Complaint.Severity), weights=[80, 12, 5, 3])[0]
    customer = rng.choice(customers) if customers and rng.random() < 0.85 else None
    with clock.installed():
        complaint = services.register(
            user=agent,
            category=categories[name],
            channel=rng.choices(list(Complaint.Channel), weights=[60, 5, 10, 8, 10, 4, 3])[0],
            content=rng.choice(STORIES[name]),
            customer=customer,
            complainant_name="" if customer else rng.choice(["刘女士", "陈先生", "匿名业主"]),
            complainant_phone="" if customer else f"139{rng.randrange(10**8):08d}",
            severity=severity,
            expected_resolution=rng.choice(["尽快上门处理", "退还费用", "书面道歉", ""]),
        )
        # The newest complaints wait at the earlier steps.
        stop = 9 if age_days > 7 else rng.randrange(1, 9)
        if stop <= 1:
            return
        step(rng.uniform(0.5, 20))
        if rng.random() < 0.3:
            services.judge_unjustified(complaint, user=judge, explanation=rng.choice(EXPLANATIONS))
            return
        department = rng.choice(departments)
        services.judge_justified(
            complaint,
            user=judge,
            responsible_department=department,
            responsible_person=rng.choice(["王师傅", "李工", "赵主管", ""]),
            apology="非常抱歉给您带来不便，我们会尽快调查处理",
            investigation_days=rng.randint(1, 5),
        )
        if stop <= 2:
            return
        step(rng.uniform(1, 12))
        for _round in range(2):
            plan = services.propose_plan(
                complaint, user=judge, department=department, content=rng.choice(PLANS)
            )
            if rng.random() < 0.2:
                services.reject_plan(plan, user=judge, comment="方案力度不够，请重新提出")
                plan = services.propose_plan(
                    complaint, user=judge, department=department, content=rng.choice(PLANS)
                )
            if stop <= 3:
                return
            step(rng.uniform(1, 8))
            services.approve_plan(plan, user=judge, comment="同意，请尽快落实")
            complaint.refresh_from_db()
            if complaint.status == Complaint.Status.AWAITING_MANAGER:
                if not managers or stop <= 4:
                    return
                services.manager_approve(complaint, user=rng.choice(managers), comment="同意")
            if rng.random() < 0.35:
                services.record_compensation(
                    complaint,
                    user=judge,
                    kind=rng.choice(["cash", "voucher", "gift", "free_service"]),
                    amount=rng.choice([50, 100, 200, 500]),
                    note="经主管批准",
                )
            if stop <= 5:
                return
            step(rng.uniform(2, 30))
            services.record_result(complaint, user=judge, result="已按批准方案处理完毕")
            if stop <= 6:
                return
            step(rng.uniform(0.5, 4))
            services.inform_customer(complaint, user=agent)
            if stop <= 7:
                return
            step(rng.uniform(2, 24))
            unhappy = _round == 0 and rng.random() < 0.15
            services.record_callback(
                complaint,
                user=agent,
                satisfaction=Satisfaction.DISSATISFIED if unhappy else Satisfaction.SATISFIED,
                note="问题仍未解决" if unhappy else "客户对处理结果满意",
            )
            if not unhappy:
                break
        if rng.random() < 0.6:
            services.record_root_cause(complaint, user=judge, root_cause=rng.choice(ROOT_CAUSES))
            action = services.add_action(
                complaint,
                user=judge,
                description=rng.choice(ACTIONS),
                owner=judge,
                due_date=(clock.now + timedelta(days=14)).date(),
            )
            if age_days > 30:
                services.complete_action(action, user=judge)
                services.verify_action(action, user=judge, verification="抽查一个月，同类投诉下降")
