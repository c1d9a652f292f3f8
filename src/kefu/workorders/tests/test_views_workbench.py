"""The agent workbench: finding the caller, opening a customer file, and
registering the contact with or without its work order in one step."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from kefu.contacts.models import Contact
from kefu.customers.models import Customer
from kefu.workorders.models import Category, WorkOrder

pytestmark = pytest.mark.django_db

WORKBENCH = reverse("workorders:workbench")
SEARCH = reverse("workorders:workbench_search")
INTAKE = reverse("workorders:workbench_intake")
NEW_CUSTOMER = reverse("workorders:workbench_customer")


def test_login_required(client):
    for url in (WORKBENCH, SEARCH):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_workbench_greets_with_the_agent_number(login, users):
    users["agent"].agent_no = "1008"
    users["agent"].save()
    response = login(users["agent"]).get(WORKBENCH)
    assert response.status_code == 200
    assert "您好，1008号为您服务！请问有什么可以帮您？" in response.content.decode()


@pytest.mark.parametrize("role", ["handler", "finance"])
def test_department_staff_get_a_clear_403(login, users, role):
    client = login(users[role])
    for response in (
        client.get(WORKBENCH),
        client.get(SEARCH, {"q": "张"}),
        client.post(INTAKE, {"channel": "phone", "content": "x"}),
    ):
        assert response.status_code == 403
    html = client.get(WORKBENCH).content.decode()
    assert (
        "您无权打开此页面" in html
        and gettext("This page is for service-center staff only.") in html
    )
    assert not Contact.objects.exists()


@pytest.mark.parametrize("query", ["138 1234 5678", "+86 138-1234-5678", "13812345678", "张伟"])
def test_search_finds_the_caller_and_masks_numbers(login, users, customer, query):
    response = login(users["agent"]).get(SEARCH, {"q": query})
    html = response.content.decode()
    assert (
        "张伟" in html
        and "138****5678" in html
        and "13812345678" not in html.replace("phone=13812345678", "")
    )


def test_search_offers_a_new_file_when_nobody_matches(login, users, customer):
    html = login(users["agent"]).get(SEARCH, {"q": "13700000000"}).content.decode()
    assert "没有找到" in html and "quick-customer" in html


def test_search_is_scoped(login, users, customer, west_customer):
    html = login(users["agent_west"]).get(SEARCH, {"q": "13812345678"}).content.decode()
    assert "张伟" not in html
    html = login(users["agent_west"]).get(SEARCH, {"q": "赵敏"}).content.decode()
    assert "赵敏" in html


def test_picked_customer_shows_open_orders_and_recent_contacts(login, users, customer, dispatched):
    Contact.objects.create(
        unit=customer.unit, channel="phone", content="上次来电咨询停车", customer=customer
    )
    response = login(users["agent"]).get(
        WORKBENCH, {"customer": customer.pk, "phone": "13812345678"}
    )
    html = response.content.decode()
    assert dispatched.number in html and "上次来电咨询停车" in html
    assert response.context["intake_form"].initial["contact_phone"] == "13812345678"


def test_customer_of_another_unit_is_404(login, users, customer):
    assert login(users["agent_west"]).get(WORKBENCH, {"customer": customer.pk}).status_code == 404
    response = login(users["agent_west"]).post(
        INTAKE, {"customer": customer.pk, "channel": "phone", "content": "x"}
    )
    assert response.status_code == 404 and not Contact.objects.exists()


def test_counts_are_real(login, users, customer, order_types):
    client = login(users["agent"])
    client.post(INTAKE, {"customer": customer.pk, "channel": "phone", "content": "咨询物业费"})
    client.post(
        INTAKE,
        {
            "customer": customer.pk,
            "channel": "phone",
            "content": "水管漏水",
            "create_order": "on",
            "order_type": order_types["repair"].pk,
            "title": "水管漏水",
        },
    )
    assert client.get(WORKBENCH).context["counts"] == {"contacts": 2, "orders": 1, "overdue": 0}


def test_intake_registers_contact_and_order_then_opens_the_order(
    login, users, customer, order_types
):
    leak = Category.objects.get(name="水管漏水")
    response = login(users["agent"]).post(
        INTAKE,
        {
            "customer": customer.pk,
            "channel": "phone",
            "caller": "13812345678",
            "region": "浦东新区",
            "content": "厨房水管漏水，地面有积水",
            "create_order": "on",
            "order_type": order_types["repair"].pk,
            "category": leak.pk,
            "priority": "high",
            "title": "厨房水管漏水",
            "location": "3号楼1202",
            "appointment_at": "2026-12-01T14:30",
            "contact_name": "张伟",
            "contact_phone": "138 1234 5678",
        },
    )
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workorders:detail", args=[order.pk]
    )
    contact = Contact.objects.get()
    assert (
        contact.work_order == order
        and contact.customer == customer
        and contact.region == "浦东新区"
    )
    assert order.customer == customer and order.category == leak and order.priority == "high"
    assert (
        order.contact_phone == "+8613812345678"
        and timezone.localtime(order.appointment_at).hour == 14
    )
    assert order.description == "厨房水管漏水，地面有积水" and order.created_by == users["agent"]


def test_intake_of_a_contact_only_stays_on_the_workbench(login, users, customer):
    client = login(users["agent"])
    response = client.post(
        INTAKE, {"customer": customer.pk, "channel": "walk_in", "content": "咨询停车费"}
    )
    assert (
        response.status_code == 302
        and response["Location"] == f"{WORKBENCH}?customer={customer.pk}"
    )
    assert Contact.objects.get().channel == "walk_in" and not WorkOrder.objects.exists()
    assert "来电已登记" in client.get(response["Location"]).content.decode()


def test_intake_for_an_unknown_caller(login, users, org, order_types):
    response = login(users["agent"]).post(
        INTAKE,
        {
            "channel": "phone",
            "caller": "021-6234 5678",
            "content": "小区门口路灯不亮",
            "create_order": "on",
            "order_type": order_types["repair"].pk,
            "title": "路灯不亮",
        },
    )
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and order.customer is None and order.unit == org["east"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"content": ""}, "content", gettext_lazy("Describe what the customer said or asked.")),
        ({"create_order": "on"}, "order_type", "请选择工单类型。"),
        ({"create_order": "on", "title": "  "}, "title", "请填写简短的标题。"),
        ({"create_order": "on", "contact_phone": "12"}, "contact_phone", "“12”"),
        (
            {"create_order": "on", "appointment_at": "明天下午"},
            "appointment_at",
            "输入一个有效的日期/时间。",
        ),
        ({"channel": "pigeon"}, "channel", "选择一个有效的选项"),
    ],
)
def test_intake_errors_keep_the_input_and_write_nothing(
    login, users, customer, order_types, data, field, message
):
    post = {
        "customer": customer.pk,
        "channel": "phone",
        "content": "电梯异响",
        "order_type": order_types["repair"].pk,
        "title": "电梯异响",
        **data,
    }
    if data.get("create_order") and "order_type" not in data and field == "order_type":
        post.pop("order_type")
    response = login(users["agent"]).post(INTAKE, post)
    assert response.status_code == 200
    form = response.context["intake_form"]
    message = str(message)
    assert any(message in error for error in form.errors[field])
    assert message in response.content.decode()
    assert form.data["content"] == post["content"]
    assert not Contact.objects.exists() and not WorkOrder.objects.exists()


def test_category_options_follow_the_type(login, users, order_types):
    html = (
        login(users["agent"])
        .get(reverse("workorders:category_options"), {"order_type": order_types["repair"].pk})
        .content.decode()
    )
    assert "水管漏水" in html and "收费咨询" not in html


def test_quick_customer_creates_and_picks_the_file(login, users, org):
    response = login(users["agent"]).post(
        NEW_CUSTOMER, {"name": "李娜", "phone": "139 0000 1111", "segment": "new"}
    )
    customer = Customer.objects.get(name="李娜")
    assert customer.unit == org["east"] and customer.phones.get().number == "+8613900001111"
    assert response.status_code == 302
    assert response["Location"].startswith(f"{WORKBENCH}?customer={customer.pk}&phone=")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "phone": "13900001111"}, "name", "该字段是必填项。"),
        ({"name": "李娜", "phone": "abc"}, None, "“abc”"),
        ({"name": "李娜", "segment": "vip-gold"}, "segment", "选择一个有效的选项"),
    ],
)
def test_quick_customer_errors(login, users, data, field, message):
    response = login(users["agent"]).post(NEW_CUSTOMER, {"segment": "new", **data})
    assert response.status_code == 200
    errors = response.context["customer_form"].errors
    assert any(message in e for e in errors[field or "__all__"])
    assert response.context["customer_form_open"] and not Customer.objects.exists()
