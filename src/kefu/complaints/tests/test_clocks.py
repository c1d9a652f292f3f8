"""The complaint targets of SPEC §2.4 on the SLA engine: 48 hours to handle,
3 days for an outside party to reply and 10 to close its part."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.complaints import analytics, services
from kefu.complaints.models import Complaint
from kefu.core.models import Notification
from kefu.core.roles import Role
from kefu.core.timeline import events_for
from kefu.factories import UserFactory
from kefu.sla import services as sla
from kefu.sla.forms import SlaPolicyForm
from kefu.sla.models import Metric, RectificationNotice, SlaClock, SlaPolicy, Subject
from kefu.sla.presets import install_default_policies
from kefu.workorders import services as orders

from .test_services import to_callback, to_executing

pytestmark = pytest.mark.django_db


def clocks(complaint):
    return {c.metric: c for c in SlaClock.objects.filter(complaint=complaint)}


def judge_outside(complaint, users, depts):
    return services.judge_justified(
        complaint,
        user=users["supervisor"],
        responsible_department=depts["factory"],
        apology="抱歉",
        investigation_days=10,
    )


@pytest.fixture
def leaders(org):
    return {
        "team_lead": UserFactory(username="lead_east", role=Role.TEAM_LEAD, unit=org["east"]),
        "supervisor": UserFactory(username="sup_hq", role=Role.SUPERVISOR, unit=org["hq"]),
    }


def test_registration_starts_the_48_hour_clock_from_reception(users, customer, category):
    received = timezone.now() - timedelta(hours=5)
    complaint = services.register(
        user=users["agent"],
        customer=customer,
        category=category,
        channel=Complaint.Channel.LETTER,
        content="来信投诉物业费计算错误",
        received_at=received,
    )
    resolution = clocks(complaint)[Metric.RESOLUTION]
    assert resolution.policy.subject == Subject.COMPLAINT
    assert resolution.started_at == received
    assert resolution.due_at == received + timedelta(hours=48)  # around the clock
    assert resolution.status == SlaClock.Status.RUNNING
    assert set(clocks(complaint)) == {Metric.RESOLUTION}  # no outside party yet


def test_work_order_policies_do_not_apply_to_complaints_nor_the_reverse(
    complaint, users, org, order_types
):
    assert all(c.policy.subject == Subject.COMPLAINT for c in clocks(complaint).values())
    order = orders.register_order(
        user=users["agent"], unit=org["east"], order_type=order_types["repair"], title="漏水"
    )
    assert all(c.policy.subject == Subject.WORK_ORDER for c in order.sla_clocks.all())


def test_unjustified_close_keeps_the_promise(complaint, more_users):
    services.judge_unjustified(complaint, user=more_users["senior"], explanation="已解释条款")
    resolution = clocks(complaint)[Metric.RESOLUTION]
    assert resolution.status == SlaClock.Status.MET
    assert resolution.stopped_at is not None


def test_internal_department_gets_no_outside_clocks(justified):
    assert Metric.OUTSIDE_REPLY not in clocks(justified)


def test_outside_party_gets_3_and_10_days(complaint, users, depts):
    complaint = judge_outside(complaint, users, depts)
    running = clocks(complaint)
    expected = complaint.judged_at + timedelta(days=3)
    assert abs(running[Metric.OUTSIDE_REPLY].due_at - expected) < timedelta(seconds=5)
    assert running[Metric.OUTSIDE_REPLY].target_minutes == 3 * 24 * 60
    assert running[Metric.OUTSIDE_CLOSE].target_minutes == 10 * 24 * 60
    assert running[Metric.OUTSIDE_CLOSE].status == SlaClock.Status.RUNNING


def test_the_outside_partys_proposal_is_its_reply(complaint, users, depts):
    complaint = judge_outside(complaint, users, depts)
    services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], content="东区先行垫付"
    )
    assert clocks(complaint)[Metric.OUTSIDE_REPLY].status == SlaClock.Status.RUNNING
    services.propose_plan(
        complaint, user=users["supervisor"], department=depts["factory"], content="工厂补发配件"
    )
    assert clocks(complaint)[Metric.OUTSIDE_REPLY].status == SlaClock.Status.MET
    assert clocks(complaint)[Metric.OUTSIDE_CLOSE].status == SlaClock.Status.RUNNING


def test_handling_ends_when_the_customer_is_told(justified, users, depts):
    to_executing(justified, users, depts)
    assert clocks(justified)[Metric.RESOLUTION].status == SlaClock.Status.RUNNING
    services.record_result(justified, user=users["handler"], result="已修好")
    assert clocks(justified)[Metric.RESOLUTION].status == SlaClock.Status.RUNNING
    services.inform_customer(justified, user=users["agent"])
    assert clocks(justified)[Metric.RESOLUTION].status == SlaClock.Status.MET


def test_late_handling_counts_as_breached(justified, users, depts):
    SlaClock.objects.filter(complaint=justified).update(
        started_at=timezone.now() - timedelta(hours=50),
        due_at=timezone.now() - timedelta(hours=2),
    )
    to_callback(justified, users, depts)
    resolution = clocks(justified)[Metric.RESOLUTION]
    assert resolution.status == SlaClock.Status.BREACHED


def test_dissatisfied_callback_reopens_the_handling_time(justified, users, depts):
    to_callback(justified, users, depts)
    assert clocks(justified)[Metric.RESOLUTION].status == SlaClock.Status.MET
    # Say the first round took ten hours.
    SlaClock.objects.filter(complaint=justified).update(consumed_seconds=10 * 3600)
    services.record_callback(justified, user=users["agent"], satisfaction="dissatisfied")
    resolution = clocks(justified)[Metric.RESOLUTION]
    assert resolution.status == SlaClock.Status.RUNNING
    assert SlaClock.objects.filter(complaint=justified, metric=Metric.RESOLUTION).count() == 1
    # The first round's ten hours count against the same 48.
    expected = resolution.running_since + timedelta(hours=38)
    assert abs(resolution.due_at - expected) < timedelta(seconds=5)


def test_sweep_warns_breaches_and_escalates_a_late_complaint(complaint, users, leaders):
    start = clocks(complaint)[Metric.RESOLUTION].started_at

    stats = sla.sweep(now=start + timedelta(hours=39))  # 80 % of 48 hours
    assert stats == {"warned": 1, "breached": 0, "escalated": 0}
    # Nobody is responsible before the judgement: the unit's team lead hears.
    assert Notification.objects.get(user=leaders["team_lead"]).level == "warning"

    stats = sla.sweep(now=start + timedelta(hours=48, minutes=1))
    assert stats["breached"] == 1 and stats["escalated"] == 1
    assert not RectificationNotice.objects.exists()  # a complaint escalates to people
    stats = sla.sweep(now=start + timedelta(hours=50, minutes=1))
    assert stats["escalated"] == 1
    assert Notification.objects.filter(user=leaders["supervisor"]).count() == 1
    events = list(events_for(complaint).values_list("verb", flat=True))
    assert sorted(v for v in events if v.startswith("sla.")) == [
        "sla.breached",
        "sla.escalated",
        "sla.escalated",
        "sla.warning",
    ]
    assert clocks(complaint)[Metric.RESOLUTION].breached_at == start + timedelta(hours=48)


def test_outside_party_breach_tells_the_department(complaint, users, depts):
    complaint = judge_outside(complaint, users, depts)
    member = UserFactory(
        username="factory_rep",
        role=Role.HANDLER,
        unit=depts["factory"].unit,
        department=depts["factory"],
    )
    reply = clocks(complaint)[Metric.OUTSIDE_REPLY]
    sla.sweep(now=reply.due_at + timedelta(minutes=1))
    titles = list(Notification.objects.filter(user=member).values_list("title", flat=True))
    assert any("外部单位答复" in t or "Outside party reply" in t for t in titles), titles


def test_a_severity_policy_takes_precedence(make_complaint):
    press = SlaPolicy.objects.create(
        name="登报投诉 24 小时",
        subject=Subject.COMPLAINT,
        position=1,
        severities=[Complaint.Severity.PRESS],
        resolution_minutes=24 * 60,
        business_time=False,
    )
    sla.forget_policies()
    in_press = make_complaint(severity=Complaint.Severity.PRESS)
    ordinary = make_complaint()
    assert clocks(in_press)[Metric.RESOLUTION].policy == press
    assert clocks(in_press)[Metric.RESOLUTION].target_minutes == 24 * 60
    assert clocks(ordinary)[Metric.RESOLUTION].target_minutes == 48 * 60


def test_without_a_complaint_policy_no_clock_runs(users, customer, category):
    SlaPolicy.objects.filter(subject=Subject.COMPLAINT).update(is_active=False)
    sla.forget_policies()
    complaint = services.register(
        user=users["agent"],
        customer=customer,
        category=category,
        channel=Complaint.Channel.CALL,
        content="x",
    )
    assert clocks(complaint) == {}
    services.judge_unjustified(complaint, user=users["supervisor"], explanation="已解释")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "complaint", "priorities": ["urgent"]}, "priorities"),
        ({"subject": "work_order", "severities": ["press"]}, "severities"),
        ({"subject": "complaint", "severities": ["shouting"]}, "severities"),
        ({"subject": "work_order", "channels": "phone"}, "channels"),
    ],
)
def test_policy_form_refuses_conditions_that_do_not_fit(data, field):
    base = {
        "name": "x",
        "position": 5,
        "priorities": "[]",
        "segments": "[]",
        "channels": "[]",
        "severities": "[]",
        "warn_percent": 80,
    }
    form = SlaPolicyForm(
        data={**base, **{k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}}
    )
    assert not form.is_valid()
    assert field in form.errors


def test_policy_form_accepts_a_complaint_policy():
    form = SlaPolicyForm(
        data={
            "name": "严重投诉",
            "subject": "complaint",
            "position": 5,
            "priorities": "[]",
            "segments": '["key"]',
            "channels": "[]",
            "severities": '["serious", "press"]',
            "resolution_minutes": 1440,
            "warn_percent": 80,
        }
    )
    assert form.is_valid(), form.errors


def test_at_risk_page_shows_late_complaints_in_scope_only(client, complaint, users, org):
    start = clocks(complaint)[Metric.RESOLUTION].started_at
    sla.sweep(now=start + timedelta(hours=49))
    client.force_login(users["supervisor"])
    page = client.get(reverse("sla:at_risk"))
    assert complaint.number in page.content.decode()
    west_supervisor = UserFactory(username="sup_w", role=Role.SUPERVISOR, unit=org["west"])
    client.force_login(west_supervisor)
    assert complaint.number not in client.get(reverse("sla:at_risk")).content.decode()
    # Department staff see the complaints their department answers for, not others.
    client.force_login(users["handler"])
    assert complaint.number not in client.get(reverse("sla:at_risk")).content.decode()


def test_compliance_report_groups_complaints_as_their_own_type(client, complaint, users):
    services.judge_unjustified(complaint, user=users["supervisor"], explanation="已解释")
    client.force_login(users["supervisor"])
    today = timezone.localdate()
    page = client.get(
        reverse("sla:report"),
        {"date_from": today - timedelta(days=1), "date_to": today, "group_by": "type"},
    )
    rows = {r["label"]: r for r in page.context["rows"]}
    complaint_row = rows.get("投诉处理") or rows.get("Complaint handling")
    assert complaint_row["met"] == 1


def test_complaint_pages_and_api_show_the_clocks(client, complaint, users):
    client.force_login(users["supervisor"])
    detail = client.get(complaint.get_absolute_url()).content.decode()
    assert 'id="sla-panel"' in detail
    listing = client.get(reverse("complaints:list")).content.decode()
    assert complaint.number in listing
    data = client.get(f"/api/complaints/{complaint.pk}/").json()
    assert [c["metric"] for c in data["sla_clocks"]] == ["resolution"]
    assert data["sla_clocks"][0]["status"] == "running"


def test_analytics_count_broken_handling_promises(complaint, make_complaint, users):
    make_complaint()
    SlaClock.objects.filter(complaint=complaint).update(due_at=timezone.now() - timedelta(hours=1))
    today = timezone.localdate()
    result = analytics.build(users["supervisor"], today, today)
    assert result["totals"]["overdue"] == 1


def test_default_policy_is_installed_for_complaints_when_missing(db):
    SlaPolicy.objects.filter(subject=Subject.COMPLAINT).delete()
    work_order_policies = SlaPolicy.objects.filter(subject=Subject.WORK_ORDER).count()
    install_default_policies()
    policy = SlaPolicy.objects.get(subject=Subject.COMPLAINT)
    assert (policy.resolution_minutes, policy.outside_reply_minutes) == (2880, 4320)
    assert policy.outside_close_minutes == 14400
    assert policy.escalation_levels.count() == 3
    assert SlaPolicy.objects.filter(subject=Subject.WORK_ORDER).count() == work_order_policies
