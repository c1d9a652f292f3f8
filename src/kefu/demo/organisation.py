"""The demo organisation: a property group with service centers in its
projects and an after-sales hotline, their responsible departments, and
staff with Chinese names and 工号 in every role.

The layout is data (``DEMO_LAYOUT``); the benchmark builds a bigger one
with the same functions."""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from kefu.core.models import Department, OrgUnit, User
from kefu.core.roles import Role
from kefu.demo import content

PASSWORD = "kefu2026"

Kind = OrgUnit.Kind
Fn = Department.Function
INTERNAL, EXTERNAL = Department.Kind.INTERNAL, Department.Kind.EXTERNAL


@dataclass(frozen=True)
class DeptSpec:
    code: str
    name: str
    function: str
    kind: str = INTERNAL
    deadline_hours: int = 24
    handlers: int = 2


@dataclass(frozen=True)
class Site:
    """A property project with its service center, or a hotline that is
    its own center. Customers, contacts and orders live in the center."""

    code: str
    name: str
    line: str  # "property" or "hotline"
    parent: str
    number_prefix: str  # first digits of the staff's 工号
    address: str = ""
    agents: int = 4
    departments: tuple = ()

    @property
    def center_code(self):
        return f"{self.code}-center" if self.line == "property" else self.code


def property_departments(name):
    return (
        DeptSpec("eng", f"{name}工程部", Fn.ENGINEERING, deadline_hours=24),
        DeptSpec("security", f"{name}秩序维护部", Fn.SECURITY, deadline_hours=12),
        DeptSpec("env", f"{name}环境部", Fn.CLEANING, deadline_hours=24),
        DeptSpec("finance", f"{name}财务部", Fn.FINANCE, deadline_hours=48, handlers=1),
    )


HOTLINE_DEPARTMENTS = (
    DeptSpec("tech", "技术部", Fn.TECHNICAL, deadline_hours=48),
    DeptSpec("sales", "销售部", Fn.SALES, deadline_hours=48),
    DeptSpec("factory", "总装厂", Fn.FACTORY, EXTERNAL, deadline_hours=72, handlers=1),
    DeptSpec("dealer-xuhui", "上海徐汇经销商", Fn.DEALER, EXTERNAL, deadline_hours=48, handlers=1),
    DeptSpec(
        "dealer-hangzhou", "杭州西湖经销商", Fn.DEALER, EXTERNAL, deadline_hours=48, handlers=1
    ),
    DeptSpec(
        "dealer-nanjing", "南京鼓楼经销商", Fn.DEALER, EXTERNAL, deadline_hours=48, handlers=1
    ),
)


@dataclass(frozen=True)
class Layout:
    # (code, name, kind, parent code) above the sites, parents first
    units: tuple
    sites: tuple
    # departments of the top units: (unit code, DeptSpec)
    departments: tuple = ()


DEMO_LAYOUT = Layout(
    units=(
        ("hq", "集团总部", Kind.HEADQUARTERS, None),
        ("east", "华东大区", Kind.REGION, "hq"),
        ("sh-property", "上海物业", Kind.BRANCH, "east"),
    ),
    sites=(
        Site(
            "sunshine",
            "阳光花园",
            "property",
            "sh-property",
            "11",
            "浦东新区锦绣路1888弄",
            agents=5,
            departments=property_departments("阳光花园"),
        ),
        Site(
            "jinxiu",
            "锦绣华庭",
            "property",
            "sh-property",
            "12",
            "闵行区虹梅南路2266弄",
            agents=4,
            departments=property_departments("锦绣华庭"),
        ),
        Site(
            "hotline",
            "售后服务热线",
            "hotline",
            "hq",
            "20",
            agents=6,
            departments=HOTLINE_DEPARTMENTS,
        ),
    ),
    departments=(
        ("hq", DeptSpec("finance", "集团财务部", Fn.FINANCE, deadline_hours=48, handlers=1)),
    ),
)

# The logins documented for people trying the demo, all with PASSWORD:
# (the generated account it replaces, login).
DEMO_LOGINS = (
    ("admin", "admin"),
    ("sunshine-agent01", "agent01"),
    ("hotline-agent01", "agent02"),
    ("sh-property-supervisor", "supervisor01"),
    ("sunshine-callback", "callback01"),
    ("sh-property-qa", "qa01"),
    ("sunshine-eng01", "handler01"),
    ("sunshine-finance01", "finance01"),
    ("hotline-factory01", "factory01"),
)


@dataclass
class SiteStaff:
    """A site as built: its center unit, departments and people by duty."""

    site: Site
    unit: OrgUnit
    center: OrgUnit
    departments: dict  # DeptSpec.code -> Department
    agents: list = field(default_factory=list)
    callback_agents: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    handlers: dict = field(default_factory=dict)  # Department.pk -> [User]
    finance: User | None = None

    def departments_of(self, code):
        """``code`` is a DeptSpec code or "dealer" for any of the dealers."""
        if code == "dealer":
            return [d for c, d in self.departments.items() if c.startswith("dealer-")]
        return [self.departments[code]]


@dataclass
class Organisation:
    units: dict  # code -> OrgUnit
    sites: list  # [SiteStaff]
    users: dict  # username -> User
    logins: list  # [User] in DEMO_LOGINS order


class _People:
    """Chinese names and 工号 without repeats."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.numbers: dict[str, int] = {}
        self.names: set[str] = set()

    def name(self):
        while True:
            name = "".join(content.chinese_name(self.rng))
            if name not in self.names:
                self.names.add(name)
                return name

    def agent_no(self, prefix):
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return f"{prefix}{self.numbers[prefix]:02d}"


def build_organisation(layout: Layout, rng: random.Random, *, logins=DEMO_LOGINS) -> Organisation:
    units = {}
    for code, name, kind, parent in layout.units:
        units[code] = OrgUnit.objects.create(
            code=code, name=name, kind=kind, parent=units.get(parent)
        )
    people = _People(rng)
    password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
    renames = dict(logins)
    users = {}

    def person(username, role, unit, prefix, department=None, **extra):
        username = renames.get(username, username)
        # The whole name in first_name: get_full_name() would put a space and
        # the surname last, the Western way.
        user = User.objects.create(
            username=username,
            password=password,
            role=role,
            unit=unit,
            department=department,
            first_name=people.name(),
            agent_no=people.agent_no(prefix),
            **extra,
        )
        users[username] = user
        return user

    hq = units[layout.units[0][0]]
    person("admin", Role.MANAGER, hq, "80", is_superuser=True, is_staff=True)
    person("ops01", Role.ADMIN, hq, "80", is_staff=True)
    for code, spec in layout.departments:
        department = _department(units[code], spec)
        for i in range(spec.handlers):
            person(f"{code}-{spec.code}{i + 1:02d}", Role.HANDLER, units[code], "81", department)
    for code, _name, kind, _parent in layout.units[1:]:
        if kind == Kind.BRANCH:
            person(f"{code}-supervisor", Role.SUPERVISOR, units[code], "10")
            person(f"{code}-qa", Role.QA, units[code], "10")
            person(f"{code}-manager", Role.MANAGER, units[code], "10")
    group_finance = Department.objects.filter(unit=hq, function=Fn.FINANCE).first()
    sites = [_build_site(site, units, person, group_finance) for site in layout.sites]
    logins = [users[login] for _generated, login in logins if login in users]
    return Organisation(units=units, sites=sites, users=users, logins=logins)


def _department(unit, spec):
    return Department.objects.create(
        unit=unit,
        code=spec.code,
        name=spec.name,
        function=spec.function,
        kind=spec.kind,
        deadline_hours=spec.deadline_hours,
    )


def _build_site(site, units, person, group_finance):
    parent = units[site.parent]
    if site.line == "property":
        unit = OrgUnit.objects.create(
            code=site.code, name=site.name, kind=Kind.PROJECT, parent=parent
        )
        center = OrgUnit.objects.create(
            code=site.center_code, name=f"{site.name}客服中心", kind=Kind.CENTER, parent=unit
        )
    else:
        unit = center = OrgUnit.objects.create(
            code=site.code, name=site.name, kind=Kind.CENTER, parent=parent
        )
    units[unit.code] = unit
    units[center.code] = center
    staff = SiteStaff(site=site, unit=unit, center=center, departments={})
    p = site.number_prefix
    for i in range(site.agents):
        staff.agents.append(person(f"{site.code}-agent{i + 1:02d}", Role.AGENT, center, p))
    staff.agents.append(person(f"{site.code}-senior", Role.SENIOR_AGENT, center, p))
    staff.leads.append(person(f"{site.code}-lead", Role.TEAM_LEAD, center, p))
    staff.callback_agents.append(person(f"{site.code}-callback", Role.CALLBACK_AGENT, center, p))
    if site.line == "hotline":
        staff.leads.append(person(f"{site.code}-supervisor", Role.SUPERVISOR, center, p))
    for spec in site.departments:
        department = _department(unit, spec)
        staff.departments[spec.code] = department
        staff.handlers[department.pk] = [
            person(f"{site.code}-{spec.code}{i + 1:02d}", Role.HANDLER, unit, p + "9", department)
            for i in range(spec.handlers)
        ]
    finance = staff.departments.get("finance") or group_finance
    if finance is not None:
        members = staff.handlers.get(finance.pk) or list(finance.members.all())
        staff.finance = members[0] if members else None
    return staff
