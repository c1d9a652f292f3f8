from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kefu.core.models import Notification
from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.processes.engine import take_transition
from kefu.sla import services
from kefu.sla.models import Metric, RectificationNotice, SlaClock
from kefu.workorders import services as orders


@pytest.fixture
def breached(users, org, order_types, depts):
    """An east complaint dispatched to east engineering, three days overdue."""
    order = orders.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["complaint"],
        title="维修人员态度差",
    )
    order = take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    SlaClock.objects.filter(work_order=order).update(
        started_at=timezone.now() - timedelta(days=4),
        due_at=timezone.now() - timedelta(days=2),
        warn_at=timezone.now() - timedelta(days=2, hours=9),
    )
    services.sweep()
    return order


@pytest.fixture
def lead_west(org):
    return UserFactory(username="lead_west", role=Role.TEAM_LEAD, unit=org["west"])


def login(client, user):
    client.force_login(user)
    return client


def test_at_risk_lists_breached_orders_in_scope_only(client, users, breached, lead_west):
    page = login(client, users["supervisor"]).get(reverse("sla:at_risk"))
    assert page.status_code == 200 and breached.number in page.content.decode()
    page = login(client, lead_west).get(reverse("sla:at_risk"))
    assert breached.number not in page.content.decode()
    page = login(client, users["handler"]).get(reverse("sla:at_risk") + "?status=breached")
    assert breached.number in page.content.decode()
    page = login(client, users["handler_west"]).get(reverse("sla:at_risk"))
    assert breached.number not in page.content.decode()


def test_agents_cannot_open_supervisor_pages(client, users):
    login(client, users["agent"])
    assert client.get(reverse("sla:at_risk")).status_code == 403
    assert client.get(reverse("sla:report")).status_code == 403


def test_report_counts_and_exports(client, users, breached):
    login(client, users["supervisor"])
    today = timezone.localdate()
    params = {
        "date_from": today - timedelta(days=10),
        "date_to": today,
        "group_by": "department",
        "metric": Metric.RESOLUTION,
    }
    page = client.get(reverse("sla:report"), params)
    assert page.status_code == 200
    assert page.context["rows"] == [
        {"label": "东区工程部", "total": 1, "met": 0, "breached": 1, "rate": 0.0}
    ]
    export = client.get(reverse("sla:report"), {**params, "format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(export.content)).active
    assert [c.value for c in sheet[2]] == ["东区工程部", 1, 0, 1, 0]


def test_report_refuses_a_reversed_period(client, users):
    login(client, users["supervisor"])
    today = timezone.localdate()
    page = client.get(
        reverse("sla:report"),
        {"date_from": today, "date_to": today - timedelta(days=1), "group_by": "month"},
    )
    assert page.status_code == 200 and page.context["rows"] == []
    assert (
        "开始日期不能晚于结束日期" in page.content.decode() or "start date" in page.content.decode()
    )


def test_rectification_reply_through_the_page(client, users, breached):
    notice = RectificationNotice.objects.get(work_order=breached)
    login(client, users["handler_west"])
    assert client.post(reverse("sla:reply", args=[notice.pk]), {"reply": "x"}).status_code == 404
    login(client, users["handler"])
    bad = client.post(reverse("sla:reply", args=[notice.pk]), {"reply": ""})
    assert bad.status_code == 400
    notice.refresh_from_db()
    assert notice.replied_at is None
    ok = client.post(reverse("sla:reply", args=[notice.pk]), {"reply": "夜间增加值班维修工"})
    assert ok.status_code == 302
    notice.refresh_from_db()
    assert notice.reply == "夜间增加值班维修工"


def test_notifications_page_and_mark_read(client, users, breached):
    login(client, users["handler"])
    page = client.get(reverse("notifications"))
    assert breached.number in page.content.decode()
    client.post(reverse("notifications"))
    assert not Notification.objects.filter(user=users["handler"], read_at__isnull=True).exists()


def test_order_list_and_page_show_remaining_time(client, users, org, order_types):
    order = orders.register_order(
        user=users["agent"], unit=org["east"], order_type=order_types["repair"], title="门禁故障"
    )
    login(client, users["agent"])
    listing = client.get(reverse("workorders:list")).content.decode()
    assert "ti-clock" in listing and "剩余" in listing
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'id="sla-panel"' in page and "首次响应" in page and "一般工单" in page


def test_breached_order_is_red_in_the_list(client, users, breached):
    login(client, users["supervisor"])
    listing = client.get(reverse("workorders:list")).content.decode()
    assert "已超时" in listing


def test_malformed_queue_filters_are_ignored_not_fatal(client, users, breached):
    login(client, users["supervisor"])
    page = client.get(
        reverse("sla:at_risk"), {"status": "nonsense", "department": "x'1", "metric": "<b>"}
    )
    assert page.status_code == 200 and breached.number in page.content.decode()
    report = client.get(reverse("sla:report"), {"date_from": "2026-13-45", "group_by": "planet"})
    assert report.status_code == 200 and report.context["rows"] == []
