"""The order page: what it shows, its action modals, editing, notes,
attachments, charges and the printable work sheet, each in and out of scope."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kefu.core.timeline import events_for
from kefu.processes.engine import take_transition
from kefu.workorders import services
from kefu.workorders.models import Attachment, Charge, Note, WorkOrder

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, order, *args):
    return reverse(f"workorders:{name}", args=[order.pk, *args])


def fresh(order):
    return WorkOrder.objects.select_related("state").get(pk=order.pk)


def verbs(order):
    return [e.verb for e in events_for(order)]


def test_detail_shows_the_order(login, users, dispatched):
    response = login(users["agent"]).get(url("detail", dispatched))
    html = response.content.decode()
    assert response.status_code == 200
    assert dispatched.number in html and "厨房水管漏水" in html and "东区工程部" in html
    assert 'badge bg-indigo-lt">已派单' in html
    assert (
        "138****5678" in html and reverse("customers:detail", args=[dispatched.customer_id]) in html
    )
    assert "派单: 已受理 → 已派单" in html


def test_actions_depend_on_the_user(login, users, dispatched):
    agent_actions = {
        t.code for t in login(users["agent"]).get(url("detail", dispatched)).context["actions"]
    }
    handler_actions = {
        t.code for t in login(users["handler"]).get(url("detail", dispatched)).context["actions"]
    }
    assert agent_actions == set()
    assert handler_actions == {"accept", "complete", "send_back"}
    supervisor = login(users["supervisor"]).get(url("detail", dispatched)).context["actions"]
    assert {"redispatch", "cancel"} <= {t.code for t in supervisor}


@pytest.mark.parametrize(
    ("role", "name", "method"),
    [
        ("agent_west", "detail", "get"),
        ("agent_west", "print", "get"),
        ("agent_west", "edit", "get"),
        ("agent_west", "add_note", "post"),
        ("agent_west", "add_charge", "post"),
        ("agent_west", "add_attachment", "post"),
        ("handler_west", "detail", "get"),
        ("finance", "detail", "get"),
    ],
)
def test_out_of_scope_is_404(login, users, dispatched, role, name, method):
    response = getattr(login(users[role]), method)(url(name, dispatched))
    assert response.status_code == 404


def test_out_of_scope_transition_is_404_and_changes_nothing(login, users, dispatched):
    client = login(users["handler_west"])
    assert client.get(url("transition", dispatched, "accept"), **HTMX).status_code == 404
    assert client.post(url("transition", dispatched, "accept"), **HTMX).status_code == 404
    assert fresh(dispatched).state.code == "dispatched"


def test_handler_sees_only_own_department_orders(login, users, repair, dispatched):
    client = login(users["handler"])
    assert client.get(url("detail", dispatched)).status_code == 200
    registered = services.register_order(
        user=users["agent"], unit=repair.unit, order_type=repair.order_type, title="未派单"
    )
    assert client.get(url("detail", registered)).status_code == 404


def test_transition_modal_shows_the_form(login, users, repair):
    response = login(users["agent"]).get(url("transition", repair, "dispatch"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="department"' in html and "东区工程部" in html
    assert "西区工程部" not in html
    assert "<html" not in html and 'hx-post="' in html
    assert 'class="form-select' in html


def test_transition_modal_without_htmx_is_a_page(login, users, repair, depts):
    client = login(users["agent"])
    assert "<html" in client.get(url("transition", repair, "dispatch")).content.decode()
    response = client.post(
        url("transition", repair, "dispatch"), {"department": depts["east_eng"].pk}
    )
    assert response.status_code == 302 and response["Location"] == url("detail", repair)


def test_transition_valid_refreshes_the_page(login, users, repair, depts):
    response = login(users["agent"]).post(
        url("transition", repair, "dispatch"),
        {"department": depts["east_eng"].pk, "note": "带配件"},
        **HTMX,
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    order = fresh(repair)
    assert order.state.code == "dispatched" and order.department == depts["east_eng"]
    assert verbs(order)[0] == "transition.dispatch"


def test_transition_invalid_keeps_input_and_changes_nothing(login, users, repair):
    response = login(users["agent"]).post(
        url("transition", repair, "dispatch"), {"note": "请尽快处理"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请更正下面标出的内容。" in html and "该字段是必填项。" in html
    assert "请尽快处理" in html and "is-invalid" in html
    assert fresh(repair).state.code == "registered" and verbs(repair) == ["order.registered"]


def test_transition_condition_error_is_shown_on_the_field(login, users, resolved):
    order = take_transition(resolved, "inform", users["agent"], {"reply_note": "已告知"})
    response = login(users["agent"]).post(
        url("transition", order, "callback"),
        {"satisfaction": "dissatisfied", "callback_note": "仍然漏水"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "仍然漏水" in html
    assert response.context["form"].errors["satisfaction"]
    assert fresh(order).state.code == "replied"


def test_transition_in_the_wrong_state_is_refused(login, users, repair):
    client = login(users["agent"])
    blocked = client.get(url("transition", repair, "archive"), **HTMX)
    assert blocked.status_code == 200 and blocked.context["blocked"]
    assert "您现在不能执行“归档”。" in blocked.content.decode()
    response = client.post(url("transition", repair, "archive"), **HTMX)
    assert "当前状态为“已受理”，不能执行“归档”。" in response.content.decode()
    assert fresh(repair).state.code == "registered"


def test_unknown_action_is_404(login, users, repair):
    assert (
        login(users["agent"]).get(url("transition", repair, "teleport"), **HTMX).status_code == 404
    )


def test_handler_sending_back_leaves_the_page(login, users, dispatched):
    response = login(users["handler"]).post(
        url("transition", dispatched, "send_back"), {"reason": "不属于工程部"}, **HTMX
    )
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("home")
    assert fresh(dispatched).state.code == "registered"


def test_edit_saves_through_the_service(login, users, repair, customer):
    client = login(users["agent"])
    assert 'value="厨房水管漏水"' in client.get(url("edit", repair), **HTMX).content.decode()
    response = client.post(
        url("edit", repair),
        {
            "title": "厨房水管爆裂",
            "priority": "urgent",
            "contact_phone": "139 0000 1111",
            "appointment_at": "2026-12-02T09:00",
            "location": "3号楼1202",
        },
        **HTMX,
    )
    assert response.status_code == 204
    order = fresh(repair)
    assert order.title == "厨房水管爆裂" and order.priority == "urgent"
    assert order.contact_phone == "+8613900001111"
    event = events_for(order).first()
    assert event.verb == "order.updated" and event.before["title"] == "厨房水管漏水"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "priority": "normal"}, "title", "该字段是必填项。"),
        ({"title": "标题", "priority": "sometime"}, "priority", "选择一个有效的选项"),
        ({"title": "标题", "priority": "normal", "contact_phone": "12"}, "contact_phone", "“12”"),
        (
            {"title": "标题", "priority": "normal", "appointment_at": "下周"},
            "appointment_at",
            "输入一个有效的日期/时间。",
        ),
    ],
)
def test_edit_errors_change_nothing(login, users, repair, data, field, message):
    response = login(users["agent"]).post(url("edit", repair), data, **HTMX)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert fresh(repair).title == "厨房水管漏水" and verbs(repair) == ["order.registered"]


def test_edit_is_for_center_staff_on_open_orders(login, users, dispatched):
    assert login(users["handler"]).get(url("edit", dispatched)).status_code == 403
    WorkOrder.objects.filter(pk=dispatched.pk).update(closed_at=timezone.now())
    assert (
        login(users["agent"])
        .post(url("edit", dispatched), {"title": "x", "priority": "low"})
        .status_code
        == 403
    )


def test_notes(login, users, dispatched):
    client = login(users["handler"])
    response = client.post(url("add_note", dispatched), {"body": "已联系业主，明早上门"})
    assert response.status_code == 302
    assert Note.objects.get().author == users["handler"]
    response = client.post(url("add_note", dispatched), {"body": "   "})
    assert response.status_code == 200 and "备注内容为空。" in response.content.decode()
    assert Note.objects.count() == 1


def test_attachments_upload_and_download(login, users, dispatched):
    client = login(users["agent"])
    photo = SimpleUploadedFile("漏水照片.jpg", b"\xff\xd8jpeg-bytes", content_type="image/jpeg")
    assert client.post(url("add_attachment", dispatched), {"file": photo}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "漏水照片.jpg" and attachment.size == 12
    download = client.get(url("download_attachment", dispatched, attachment.pk))
    assert (
        download.status_code == 200
        and b"".join(download.streaming_content) == b"\xff\xd8jpeg-bytes"
    )
    assert "attachment" in download["Content-Disposition"]
    assert (
        login(users["agent_west"])
        .get(url("download_attachment", dispatched, attachment.pk))
        .status_code
        == 404
    )
    assert (
        login(users["handler"])
        .get(url("download_attachment", dispatched, attachment.pk))
        .status_code
        == 200
    )


def test_attachment_size_limit_and_missing_file(login, users, dispatched, settings):
    settings.KEFU_ATTACHMENT_MAX_BYTES = 2 * 2**20
    client = login(users["agent"])
    big = SimpleUploadedFile("现场录像.mp4", b"0" * (2 * 2**20 + 1))
    response = client.post(url("add_attachment", dispatched), {"file": big})
    assert response.status_code == 200 and "文件超过 2 MB。" in response.content.decode()
    response = client.post(url("add_attachment", dispatched), {})
    assert response.status_code == 200 and "请选择要上传的文件。" in response.content.decode()
    assert not Attachment.objects.exists()


def test_attachment_of_another_order_is_404(login, users, dispatched, make_order):
    other = make_order("另一张工单")
    attachment = services.add_attachment(
        other, user=users["agent"], upload=SimpleUploadedFile("a.txt", b"x")
    )
    assert (
        login(users["agent"]).get(url("download_attachment", dispatched, attachment.pk)).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"item": "", "amount": "20"}, "item", "该字段是必填项。"),
        ({"item": "换锁", "amount": "0"}, "amount", "0.01"),
        ({"item": "换锁", "amount": "二十"}, "amount", "输入一个数字。"),
        ({"item": "换锁", "amount": "12.345"}, "amount", "2"),
    ],
)
def test_charge_errors(login, users, dispatched, data, field, message):
    response = login(users["handler"]).post(url("add_charge", dispatched), data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["charge_form"].errors[field])
    assert not Charge.objects.exists()


def test_charge_recorded_and_billed_by_a_supervisor(login, users, resolved):
    assert (
        login(users["handler"])
        .post(url("add_charge", resolved), {"item": "水管接头", "amount": "35.50"})
        .status_code
        == 302
    )
    charge = Charge.objects.get()
    assert charge.amount == Decimal("35.50") and charge.status == "pending"
    bill = reverse("workorders:bill_charge", args=[charge.pk])
    assert login(users["agent"]).post(bill).status_code == 403
    assert login(users["agent_west"]).post(bill).status_code == 404
    response = login(users["supervisor"]).post(bill)
    assert response.status_code == 302 and response["Location"] == url("detail", resolved)
    charge.refresh_from_db()
    assert charge.status == "billed" and charge.billed_by == users["supervisor"]
    again = login(users["supervisor"]).post(bill, follow=True)
    assert "该费用已是“财务已入帐”状态。" in again.content.decode()


def test_print_sheet(login, users, dispatched):
    response = login(users["handler"]).get(url("print", dispatched))
    html = response.content.decode()
    assert response.status_code == 200 and "维修工作单" in html and dispatched.number in html
    assert "13812345678" in html and "维修人员签字" in html


def test_detail_query_count_is_bounded(login, users, dispatched, django_assert_max_num_queries):
    for i in range(5):
        services.add_note(dispatched, user=users["agent"], body=f"备注{i}")
    client = login(users["agent"])
    with django_assert_max_num_queries(25):
        client.get(url("detail", dispatched))
