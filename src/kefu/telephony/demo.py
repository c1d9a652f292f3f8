"""Demo call center: a PBX per service center, queues with overflow, an IVR
menu, two blocked numbers, and the last three hours of simulated traffic
answered by the center's own agents, so the wallboard and the desk show a
working day."""

from datetime import timedelta

from kefu.core.calendars import BusinessCalendar
from kefu.core.models import OrgUnit
from kefu.customers.models import Customer, Phone
from kefu.desk import simulator
from kefu.telephony import agents, cti
from kefu.telephony.models import (
    AgentStatus,
    BlockedNumber,
    IvrMenu,
    IvrOption,
    Pbx,
    Queue,
    QueueMember,
)

HOURS = 3


class _DemoSink:
    """Simulated calls answered by real agents, from real customers' numbers
    for most calls (so the desk pops a customer file)."""

    def __init__(self, pbx, staff, numbers, rng, prefix, repairs):
        self.prefix = prefix
        self.repairs = repairs
        self.repair_calls = set()
        self.pbx = pbx
        self.staff = staff
        self.numbers = numbers
        self.rng = rng
        self.by_extension = {}

    def start(self, extensions, at):
        for extension, agent in zip(extensions, self.staff, strict=False):
            agents.change_state(
                user=agent,
                agent=agent,
                status=AgentStatus.READY,
                extension=self._own(extension),
                at=at,
            )
            self.by_extension[extension] = agent

    def _own(self, extension):
        """Each center's extensions are its own: 1001…, 2001…"""
        return f"{self.prefix}{extension[1:]}"

    def event(self, payload):
        if payload["event"] == "offered":
            if self.numbers and self.rng.random() < 0.7:
                payload = dict(payload, caller=self.rng.choice(self.numbers))
            if self.rng.random() < 0.4:
                self.repair_calls.add(payload["call_id"])
        if "queue" in payload and payload["call_id"] in self.repair_calls:
            payload = dict(payload, queue=self.repairs.code)
        if "extension" in payload:
            payload = dict(payload, extension=self._own(payload["extension"]))
        cti.receive(self.pbx, cti.parse_event(payload))

    def agent_free(self, extension, at):
        agent = self.by_extension[extension]
        if agents.state_of(agent).status == AgentStatus.WRAP_UP:
            agents.change_state(user=agent, agent=agent, status=AgentStatus.READY, at=at)


def _queues(site, unit, calendar):
    prefix = site.site.code
    general = Queue.objects.create(
        unit=unit,
        code=f"{prefix}-service",
        name="咨询服务",
        name_en="Enquiries",
        calendar=calendar,
        closed_message="您好，现在是非工作时间，请在提示音后留言，我们将在上班后第一时间回电。",
        position=1,
    )
    repairs = Queue.objects.create(
        unit=unit,
        code=f"{prefix}-repair",
        name="报修受理",
        name_en="Repairs",
        calendar=calendar,
        overflow_queue=general,
        overflow_after_seconds=30,
        min_skill_level=2,
        position=2,
    )
    return general, repairs


def _ivr(unit, code, general, repairs):
    root = IvrMenu.objects.create(
        unit=unit,
        code=f"{code}-main",
        name="主菜单",
        prompt="您好，欢迎致电客服中心。报修请按1，咨询请按2，投诉与建议请按3，人工服务请按0。",
        is_root=True,
    )
    complaints = IvrMenu.objects.create(
        unit=unit,
        code=f"{code}-complaints",
        name="投诉与建议",
        prompt="投诉请按1，建议请按2，返回上级菜单请按星号键。",
    )
    T = IvrOption.Target
    for key, label, target, extra in (
        ("1", "报修", T.QUEUE, {"queue": repairs}),
        ("2", "咨询", T.QUEUE, {"queue": general}),
        ("3", "投诉与建议", T.MENU, {"submenu": complaints}),
        ("0", "人工服务", T.QUEUE, {"queue": general}),
        ("9", "重听", T.REPEAT, {}),
    ):
        IvrOption.objects.create(menu=root, key=key, label=label, target=target, **extra)
    IvrOption.objects.create(menu=complaints, key="1", label="投诉", target=T.QUEUE, queue=general)
    IvrOption.objects.create(
        menu=complaints,
        key="2",
        label="建议",
        target=T.VOICEMAIL,
    )
    IvrOption.objects.create(menu=complaints, key="*", label="返回", target=T.MENU, submenu=root)


def load(organisation, rng, now):
    always = BusinessCalendar.objects.filter(always_open=True).first()
    for number, site in enumerate(organisation.sites):
        unit = site.center
        pbx = Pbx.objects.create(
            unit=unit, name=f"{unit.name}交换机", token=f"demo-{site.site.code}-pbx"
        )
        general, repairs = _queues(site, unit, always)
        staff = site.agents
        for position, agent in enumerate(staff):
            QueueMember.objects.create(queue=general, agent=agent, skill_level=3 + position % 3)
            QueueMember.objects.create(queue=repairs, agent=agent, skill_level=1 + position % 5)
        _ivr(unit, site.site.code, general, repairs)
        if number == 0:
            root = OrgUnit.objects.filter(parent=None).first() or unit
            for blocked, reason in (("+8617000000001", "骚扰电话"), ("+8617000000002", "推销")):
                BlockedNumber.objects.create(unit=root, number=blocked, reason=reason)
        numbers = list(
            Phone.objects.filter(customer__unit=unit).values_list("number", flat=True)[:300]
        )
        # Traffic grows with the demo: a small test demo stays quick to load.
        customers = Customer.objects.filter(unit=unit).count()
        calls = min(14 * len(staff) * HOURS, max(5, customers // 2))
        config = simulator.Config(
            agents=len(staff),
            calls_per_hour=calls / HOURS,
            aht_seconds=170,
            patience_seconds=90,
            hours=HOURS,
            queue=general.code,
            seed=rng.randrange(1_000_000),
        )
        simulator.run(
            config,
            _DemoSink(pbx, staff, numbers, rng, number + 1, repairs),
            start=now - timedelta(hours=HOURS),
        )
        _end_of_demo_states(staff, rng, now)


def _end_of_demo_states(staff, rng, now):
    """A believable floor now: most agents ready, one on a break; the demo
    logins stay logged out so whoever tries the desk logs in."""
    for position, agent in enumerate(staff):
        state = agents.state_of(agent)
        if state.status not in (AgentStatus.READY, AgentStatus.WRAP_UP):
            continue
        if position == 0:
            agents.change_state(user=agent, agent=agent, status=AgentStatus.LOGGED_OUT, at=now)
        elif position == 1:
            agents.change_state(
                user=agent,
                agent=agent,
                status=AgentStatus.NOT_READY,
                reason="break",
                at=now - timedelta(minutes=rng.randint(2, 9)),
            )
