"""The benchmark database: 28 service centers (24 property projects in four
regions and four after-sales hotlines), 300,000 customers with phones,
addresses and products, and a million work orders over a year, at the daily
and hourly rhythm of the demo, in every state of the closed loop (the open
ones are the recent ones and a few stuck overdue).

Rows are written with ``executemany`` (``bench.rows``) in time order and
numbered per day from 0001 on, with the ``NumberSequence`` rows that
``kefu.core.numbering`` would have left, so orders created afterwards
continue the day's sequence. A share of the orders get their contact record
and a share their timeline (one event per step, as the engine writes them)."""

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from bench.rows import RowWriter, next_id, reset_sequences
from kefu.contacts.models import Contact
from kefu.core.choices import Satisfaction
from kefu.core.models import NumberSequence, OrgUnit, TimelineEvent, User
from kefu.core.roles import Role
from kefu.customers.models import Address, Customer, Phone, Product, Segment
from kefu.demo import content
from kefu.demo.history import CHANNELS, HOUR_WEIGHTS, SATISFACTION, WEEKDAY_WEIGHTS
from kefu.demo.organisation import (
    HOTLINE_DEPARTMENTS,
    Layout,
    Site,
    build_organisation,
    property_departments,
)
from kefu.processes.models import Transition
from kefu.workorders.models import Category, WorkOrder, WorkOrderType
from kefu.workorders.services import NUMBER_PREFIX, active_process

PROJECTS = (
    "阳光花园",
    "锦绣华庭",
    "翠湖天地",
    "碧水湾",
    "金色家园",
    "紫荆苑",
    "滨江一号",
    "丽景园",
    "华府天地",
    "书香门第",
    "海棠湾",
    "御景园",
    "春晓苑",
    "绿洲花城",
    "星河湾",
    "香樟园",
    "梧桐苑",
    "枫林晚",
    "和风雅居",
    "江南名府",
    "东方花园",
    "世纪公寓",
    "湖畔佳苑",
    "云栖里",
)
REGIONS = (
    ("east", "华东大区", (("sh", "上海物业", "上海市"), ("hz", "杭州物业", "杭州市"))),
    ("south", "华南大区", (("gz", "广州物业", "广州市"), ("sz", "深圳物业", "深圳市"))),
    ("north", "华北大区", (("bj", "北京物业", "北京市"), ("tj", "天津物业", "天津市"))),
    ("west", "西南大区", (("cd", "成都物业", "成都市"), ("cq", "重庆物业", "重庆市"))),
)


@dataclass(frozen=True)
class Volume:
    orders: int = 1_000_000
    customers: int = 300_000
    days: int = 365
    contact_share: float = 0.6
    timeline_share: float = 0.15
    seed: int = 2026


def bench_layout() -> Layout:
    units = [("hq", "集团总部", OrgUnit.Kind.HEADQUARTERS, None)]
    sites = []
    names = iter(PROJECTS)
    for region, region_name, branches in REGIONS:
        units.append((region, region_name, OrgUnit.Kind.REGION, "hq"))
        for branch, branch_name, city in branches:
            units.append((branch, branch_name, OrgUnit.Kind.BRANCH, region))
            for k in range(3):
                name = next(names)
                sites.append(
                    Site(
                        f"{branch}{k + 1}",
                        name,
                        "property",
                        branch,
                        f"{100 + len(sites)}",
                        f"{city}{name}",
                        agents=3,
                        departments=property_departments(name),
                    )
                )
        sites.append(
            Site(
                f"hotline-{region}",
                f"{region_name}售后服务热线",
                "hotline",
                "hq",
                f"{100 + len(sites)}",
                agents=3,
                departments=HOTLINE_DEPARTMENTS,
            )
        )
    return Layout(units=tuple(units), sites=tuple(sites))


@dataclass
class Generated:
    volume: Volume
    seconds: float
    agent: User  # an agent of one center: a realistic scope
    manager: User  # a center manager at headquarters: every unit
    counts: dict = field(default_factory=dict)


def generate(volume: Volume, log=print) -> Generated:
    """Write the benchmark data into the (migrated, empty) current database."""
    started = time.monotonic()
    rng = random.Random(volume.seed)
    now = timezone.now()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # A benchmark database can be generated again: no need to wait for the disk.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        organisation = build_organisation(bench_layout(), rng, logins=())
        manager = User.objects.create(
            username="bench-manager",
            first_name="周建华",
            role=Role.MANAGER,
            unit=organisation.units["hq"],
            agent_no="8099",
            password=organisation.users["admin"].password,
        )
    sites = organisation.sites
    weights = [rng.uniform(0.6, 1.4) for _ in sites]
    log(f"organisation: {len(sites)} centers, {len(organisation.users) + 1} users")
    households = _customers(rng, volume, sites, weights, now, log)
    counts = _orders(rng, volume, sites, weights, households, now, log)
    counts["customers"] = sum(len(h) for h in households)
    return Generated(
        volume=volume,
        seconds=time.monotonic() - started,
        agent=sites[0].agents[0],
        manager=manager,
        counts=counts,
    )


def _mobile(rng, used):
    while True:
        number = "+86" + rng.choice(content.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


def _landline(rng, used, area, lead):
    digits = 8 - len(lead)
    while True:
        number = f"+86{area[1:]}{lead}{rng.randrange(10**digits):0{digits}d}"
        if number not in used:
            used.add(number)
            return number


def _customers(rng, volume, sites, weights, now, log):
    """Per site, a list of (customer id, phone, place, dealer department)."""
    started = time.monotonic()
    total = sum(weights)
    customer_rows = RowWriter(
        Customer, ["id", "unit_id", "kind", "name", "segment", "created_at", "created_by_id"]
    )
    phone_rows = RowWriter(Phone, ["customer_id", "number", "kind", "is_primary"])
    address_rows = RowWriter(
        Address, ["customer_id", "label", "region", "detail", "project", "building", "room"]
    )
    product_rows = RowWriter(
        Product, ["customer_id", "model", "serial", "purchase_date", "dealer", "receipt_no"]
    )
    segments = [Segment.ORDINARY, Segment.REPAIR, Segment.NEW, Segment.KEY]
    used = set()
    households = []
    customer_id = next_id(Customer)
    with transaction.atomic():
        for staff, weight in zip(sites, weights, strict=True):
            site = staff.site
            actor = staff.agents[-1].pk
            dealers = staff.departments_of("dealer")
            mine = []
            for _ in range(round(volume.customers * weight / total)):
                created = now - timedelta(days=rng.uniform(1, volume.days + 1500))
                segment = rng.choices(segments, (60, 20, 12, 8))[0]
                name = "".join(content.chinese_name(rng))
                customer_rows.add(
                    (customer_id, staff.center.pk, "person", name, segment, created, actor)
                )
                mobile = _mobile(rng, used)
                phone_rows.add((customer_id, mobile, "mobile", True))
                area, lead, city, districts = rng.choice(content.CITIES)
                if rng.random() < 0.25:
                    phone_rows.add(
                        (customer_id, _landline(rng, used, area, lead), "landline", False)
                    )
                dealer = model = None
                if site.line == "property":
                    building = f"{rng.randint(1, content.BUILDINGS)}号楼"
                    room = f"{rng.randint(2, content.FLOORS)}{rng.randint(1, content.FLATS_PER_FLOOR):02d}"
                    address_rows.add(
                        (customer_id, "房产", "", site.address, site.name, building, room)
                    )
                    place = f"{building}{room}室"
                else:
                    district = rng.choice(districts)
                    street = f"{rng.choice(content.STREETS)}{rng.randint(1, 999)}号"
                    address_rows.add(
                        (customer_id, "安装地址", f"{city}{district}", street, "", "", "")
                    )
                    model = rng.choice(content.PRODUCTS)
                    dealer = rng.choice(dealers)
                    bought = created.date()
                    product_rows.add(
                        (
                            customer_id,
                            model.model,
                            f"{model.model[:3]}{customer_id:09d}",
                            bought,
                            dealer.name,
                            f"HZ{bought:%Y%m%d}{customer_id % 10000:04d}",
                        )
                    )
                    place = f"{city}{district}{street}"
                mine.append((customer_id, mobile, place, dealer, model.model if dealer else ""))
                customer_id += 1
            households.append(mine)
        for rows in (customer_rows, phone_rows, address_rows, product_rows):
            rows.flush()
        reset_sequences(Customer, Phone, Address, Product)
    log(
        f"customers: {customer_rows.count:,} with {phone_rows.count:,} phones "
        f"in {time.monotonic() - started:.0f} s"
    )
    return households


class _Process:
    """The closed loop as data: each transition's target and labels."""

    def __init__(self):
        order_type = WorkOrderType.objects.get(code="repair")
        self.definition = active_process(order_type)
        self.start = self.definition.start_state
        self.transitions = {
            t.code: t
            for t in Transition.objects.filter(definition=self.definition).select_related("target")
        }


def _day_counts(rng, volume, now):
    first = timezone.localdate(now) - timedelta(days=volume.days - 1)
    days = [first + timedelta(days=i) for i in range(volume.days)]
    weights = [
        WEEKDAY_WEIGHTS[d.weekday()] * rng.uniform(0.8, 1.2) * (0.85 + 0.3 * i / volume.days)
        for i, d in enumerate(days)
    ]
    total = sum(weights)
    counts = [int(volume.orders * w / total) for w in weights]
    counts[-1] += volume.orders - sum(counts)
    return list(zip(days, counts, strict=True))


def _moments(rng, day, count, now):
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, clock_time(), tzinfo=tz)
    limit = (now - start).total_seconds() if day == timezone.localdate(now) else 86400
    hours = [h for h in range(24) if h * 3600 < limit] or [0]
    moments = []
    for hour in rng.choices(hours, [HOUR_WEIGHTS[h] for h in hours], k=count):
        seconds = min(hour * 3600 + rng.random() * 3600, limit - 1)
        moments.append(start + timedelta(seconds=seconds))
    moments.sort()
    return [m.astimezone(UTC) for m in moments]


def _orders(rng, volume, sites, weights, households, now, log):
    started = time.monotonic()
    writer = _OrderWriter(rng, volume, now)
    days = _day_counts(rng, volume, now)
    # A transaction a month: fewer commits (and WAL checkpoints) than a day each.
    for first in range(0, len(days), 30):
        with transaction.atomic():
            for day, count in days[first : first + 30]:
                picks = rng.choices(range(len(sites)), weights, k=count)
                for seq, (moment, pick) in enumerate(
                    zip(_moments(rng, day, count, now), picks, strict=True), 1
                ):
                    writer.add(
                        f"{NUMBER_PREFIX}{day:%Y%m%d}-{seq:04d}",
                        moment,
                        sites[pick],
                        households[pick],
                    )
                writer.sequences.append(NumberSequence(prefix=NUMBER_PREFIX, day=day, last=count))
            writer.orders.flush()
        log(f"orders up to {day}: {writer.orders.count:,} ({time.monotonic() - started:.0f} s)")
    with transaction.atomic():
        counts = writer.finish()
    log(
        f"orders: {counts['orders']:,}, contacts: {counts['contacts']:,}, "
        f"timeline events: {counts['timeline_events']:,} in {time.monotonic() - started:.0f} s"
    )
    return counts


class _OrderWriter:
    def __init__(self, rng, volume, now):
        self.rng = rng
        self.volume = volume
        self.now = now
        self.process = _Process()
        self.types = {t.code: t for t in WorkOrderType.objects.all()}
        self.categories = {
            (c.order_type.code, str(c).replace(" / ", "/")): c.pk
            for c in Category.objects.select_related("order_type", "parent")
        }
        self.topics = {
            line: [t for t in content.TOPICS if t.line == line] for line in ("property", "hotline")
        }
        self.topic_weights = {line: [t.weight for t in ts] for line, ts in self.topics.items()}
        self.channels = {line: (list(c), list(c.values())) for line, c in CHANNELS.items()}
        self.ct_order = ContentType.objects.get_for_model(WorkOrder).pk
        self.orders = RowWriter(
            WorkOrder,
            [
                "id",
                "number",
                "unit_id",
                "order_type_id",
                "category_id",
                "priority",
                "channel",
                "title",
                "description",
                "customer_id",
                "location",
                "process_id",
                "state_id",
                "department_id",
                "assignee_id",
                "created_by_id",
                "created_at",
                "updated_at",
                "dispatched_at",
                "due_at",
                "resolved_at",
                "closed_at",
                "result",
                "reply_note",
                "satisfaction",
                "callback_note",
                "callback_at",
                "callback_by_id",
                "reopen_count",
            ],
            batch=10000,
        )
        self.contacts = RowWriter(
            Contact,
            [
                "unit_id",
                "channel",
                "customer_id",
                "caller",
                "occurred_at",
                "agent_id",
                "content",
                "work_order_id",
            ],
            batch=10000,
        )
        self.events = RowWriter(
            TimelineEvent,
            [
                "content_type_id",
                "object_id",
                "customer_id",
                "actor_id",
                "at",
                "verb",
                "message",
                "before",
                "after",
            ],
            batch=10000,
        )
        self.sequences = []
        self.next_id = next_id(WorkOrder)

    def add(self, number, moment, staff, households):
        rng = self.rng
        line = staff.site.line
        topic = rng.choices(self.topics[line], self.topic_weights[line])[0]
        customer_id, phone, place, dealer, product = rng.choice(households)
        agent = rng.choice(staff.agents)
        order_type = self.types[topic.type]
        priority = topic.priority or order_type.default_priority
        if rng.random() < topic.urgent_share:
            priority = "urgent"
        text = rng.choice(topic.texts).format(
            home=place, building=place, product=product, dealer=dealer.name if dealer else ""
        )
        channel = rng.choices(*self.channels[line])[0]
        steps, department, handler = _steps(rng, topic, staff, dealer, agent, moment, self.now)
        row = _apply(self.process, moment, steps, department, handler, topic, rng)
        order_id = self.next_id
        self.next_id += 1
        self.orders.add(
            (
                order_id,
                number,
                staff.center.pk,
                order_type.pk,
                self.categories.get((topic.type, topic.category)),
                priority,
                channel,
                topic.title,
                text,
                customer_id,
                place,
                self.process.definition.pk,
                row["state"].pk,
                department.pk if row["dispatched"] else None,
                row["assignee"],
                agent.pk,
                moment,
                row["updated"],
                row["dispatched"],
                row["due"],
                row["resolved"],
                row["closed"],
                row["result"],
                row["reply"],
                row["satisfaction"],
                row["callback_note"],
                row["callback_at"],
                row["callback_by"],
                row["reopened"],
            )
        )
        if rng.random() < self.volume.contact_share:
            self.contacts.add(
                (staff.center.pk, channel, customer_id, phone, moment, agent.pk, text, order_id)
            )
        if rng.random() < self.volume.timeline_share:
            _events(
                self.events,
                self.process,
                self.ct_order,
                order_id,
                customer_id,
                agent,
                moment,
                steps,
                topic,
            )

    def finish(self):
        for rows in (self.orders, self.contacts, self.events):
            rows.flush()
        NumberSequence.objects.bulk_create(self.sequences, batch_size=1000)
        reset_sequences(WorkOrder, Contact, TimelineEvent, NumberSequence)
        return {
            "orders": self.orders.count,
            "contacts": self.contacts.count,
            "timeline_events": self.events.count,
        }


def _steps(rng, topic, staff, dealer, agent, t0, now):
    """The order's steps up to now: [(transition code, time, user id)]."""
    minutes = lambda a, b: timedelta(minutes=rng.uniform(a, b))  # noqa: E731
    steps = []
    if topic.department is None:
        steps.append(("answer", t0 + minutes(1, 8), agent.pk))
        return [s for s in steps if s[1] < now], None, None
    if topic.department == "dealer" and dealer is not None:
        department = dealer
    else:
        department = rng.choice(staff.departments_of(topic.department))
    handler = rng.choice(staff.handlers[department.pk]).pk
    callbacker = rng.choice(staff.callback_agents).pk
    t = t0 + minutes(2, 40)
    steps.append(("dispatch", t, agent.pk))
    fate = rng.random()
    if fate < 0.012:
        steps.append(("cancel", t + minutes(30, 600), staff.leads[0].pk))
        return [s for s in steps if s[1] < now], department, handler
    for attempt in (1, 2):
        t += minutes(10, 180)
        steps.append(("accept", t, handler))
        if attempt == 1 and fate < 0.027:
            break  # never returned: overdue
        share = rng.uniform(1.0, 2.0) if rng.random() < 0.1 else rng.uniform(0.05, 0.7)
        t += timedelta(hours=department.deadline_hours * share)
        steps.append(("complete", t, handler))
        t += minutes(20, 300)
        steps.append(("inform", t, agent.pk))
        t += minutes(120, 3 * 1440)
        if attempt == 1 and rng.random() < 0.04:
            steps.append(("reopen", t, callbacker))
            continue
        steps.append(("callback", t, callbacker))
        t += minutes(5, 120)
        steps.append(("archive", t, callbacker))
        break
    return [s for s in steps if s[1] < now], department, handler


def _apply(process, moment, steps, department, handler, topic, rng):
    """The order's fields after ``steps``, as the closed loop's effects set them."""
    row = {
        "state": process.start,
        "assignee": None,
        "dispatched": None,
        "due": None,
        "resolved": None,
        "closed": None,
        "result": "",
        "reply": "",
        "satisfaction": "",
        "callback_note": "",
        "callback_at": None,
        "callback_by": None,
        "reopened": 0,
        "updated": None,
    }
    for code, t, user in steps:
        if code in ("dispatch", "reopen"):
            row["dispatched"], row["due"] = t, t + timedelta(hours=department.deadline_hours)
            row["assignee"] = None
        if code in ("accept", "complete"):
            row["assignee"] = handler
        if code == "complete":
            row["resolved"], row["result"] = t, rng.choice(topic.results)
        if code == "answer":
            row["resolved"] = row["closed"] = t
        if code in ("answer", "inform"):
            row["reply"] = rng.choice(topic.replies)
        if code in ("callback", "reopen"):
            dissatisfied = code == "reopen"
            row["satisfaction"] = (
                Satisfaction.DISSATISFIED
                if dissatisfied
                else rng.choices(list(SATISFACTION)[:3], list(SATISFACTION.values())[:3])[0]
            )
            row["callback_note"] = rng.choice(content.CALLBACK_NOTES[row["satisfaction"]])
            row["callback_at"], row["callback_by"] = t, user
        if code == "reopen":
            row["reopened"] += 1
            row["resolved"] = None
        if code in ("archive", "cancel"):
            row["closed"] = t
        row["state"] = process.transitions[code].target
    row["updated"] = steps[-1][1] if steps else moment
    return row


def _events(events, process, ct_order, order_id, customer_id, agent, moment, steps, topic):
    events.add(
        (
            ct_order,
            order_id,
            customer_id,
            agent.pk,
            moment,
            "order.registered",
            topic.title,
            {},
            {"state": process.start.code},
        )
    )
    state = process.start
    for code, t, user in steps:
        transition = process.transitions[code]
        events.add(
            (
                ct_order,
                order_id,
                customer_id,
                user,
                t,
                f"transition.{code}",
                f"{transition.name}: {state.name} → {transition.target.name}",
                {"state": state.code},
                {"state": transition.target.code},
            )
        )
        state = transition.target
