"""Demo callbacks: two weeks of daily lists generated from the demo history,
distributed to each site's callback agents and mostly worked, with a few
problems, spot checks and one faked callback."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from kefu.callbacks import generation, services, sms, supervision
from kefu.callbacks.models import CallbackTask, Method
from kefu.core.roles import SUPERVISING_ROLES

ANSWERS = {
    "very_satisfied": ["师傅很专业，修得又快又好", "服务非常周到，谢谢你们"],
    "satisfied": ["已经修好了，使用正常", "处理及时，挺满意的", "没什么问题了"],
    "neutral": ["修好了，就是等的时间有点长", "还行吧，上门前希望先打个电话"],
    "dissatisfied": ["修了两次才好，比较耽误时间", "师傅态度一般，收费没有解释清楚"],
}
SUGGESTIONS = ["希望上门前提前电话预约", "收费标准最好公示", "周末也能安排维修就好了", ""]
PROBLEMS = ["卫生间地漏返味", "门禁卡刷不开", "车库照明灯不亮", "空调外机噪音大"]
WEIGHTS = [("very_satisfied", 3), ("satisfied", 5), ("neutral", 2), ("dissatisfied", 1)]


def _supervisor(organisation, unit):
    for user in organisation.users.values():
        if user.role in SUPERVISING_ROLES and user.unit_id and unit.path.startswith(user.unit.path):
            return user
    return None


def _working_moment(day, rng):
    local = datetime.combine(day, time(rng.choice([9, 10, 11, 15, 16, 17]), rng.randrange(60)))
    return timezone.make_aware(local)


def load(organisation, rng, now):
    today = timezone.localdate(now)
    for back in range(14, -1, -1):
        day = today - timedelta(days=back)
        generation.generate(day=day, now=timezone.make_aware(datetime.combine(day, time(6, 30))))
    choices = [s for s, w in WEIGHTS for _ in range(w)]
    for staff in organisation.sites:
        agents = staff.callback_agents
        boss = _supervisor(organisation, staff.center)
        if not agents or boss is None:
            continue
        services.distribute(user=boss, unit=staff.unit, agents=agents)
        tasks = CallbackTask.objects.filter(
            assignee__in=agents, status=CallbackTask.Status.ASSIGNED, method=Method.PHONE
        ).order_by("id")
        for task in tasks:
            local_day = timezone.localdate(task.triggered_at) + timedelta(days=rng.randint(1, 3))
            if local_day >= today or rng.random() < 0.15:
                continue  # still on the list
            moment = _working_moment(local_day, rng)
            if rng.random() < 0.08:
                services.record_result(task, user=task.assignee, reached=False, now=moment)
                continue
            satisfaction = rng.choice(choices)
            problem = rng.choice(PROBLEMS) if rng.random() < 0.1 else ""
            services.record_result(
                task,
                user=task.assignee,
                content=rng.choice(ANSWERS[satisfaction]),
                satisfaction=satisfaction,
                suggestions=rng.choice(SUGGESTIONS),
                problem=problem,
                problem_solved=bool(problem) and rng.random() < 0.6,
                now=moment,
            )
        month = today.replace(day=1)
        checks = supervision.pick_spot_checks(
            user=boss, unit=staff.unit, count=4, month=month, seed=staff.unit.code
        )
        for n, check in enumerate(checks[:3]):
            outcome = "faked" if n == 0 and staff is organisation.sites[0] else "confirmed"
            note = "客户表示本月没有接到过回访电话" if outcome == "faked" else "客户确认已回访"
            if check.task.executed_by_id != boss.pk:
                supervision.record_spot_check(check, user=boss, outcome=outcome, note=note, now=now)
    services.escalate_overdue_problems(now=now)
    sms.send_due(now=now)
