"""The customer list and the customer page (客户档案)."""

import pytest
from django.urls import reverse

from kefu.contacts.services import register_contact
from kefu.core.models import AccessLog, OrgUnit
from kefu.customers.services import update_customer
from kefu.factories import CustomerFactory
from kefu.processes.engine import take_transition
from kefu.workorders import services as orders

pytestmark = pytest.mark.django_db

LIST = reverse("customers:list")


def detail(customer):
    return reverse("customers:detail", args=[customer.pk])


def names(response):
    return [c.name for c in response.context["page"]]


def test_login_required(client, customer):
    for url in (LIST, detail(customer), reverse("customers:create")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_department_staff_cannot_open_customer_pages(client, users, customer):
    client.force_login(users["handler"])
    assert client.get(LIST).status_code == 403
    assert client.get(detail(customer)).status_code == 403


def test_list_masks_numbers_and_marks_key_customers(agent_client, customer, full_customer):
    response = agent_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "139****1111" in html and "13900001111" not in html
    assert "ti-star" in html and "重点客户" in html
    assert names(response) == ["王芳", "张伟"]


def test_list_is_scoped_to_the_unit(client, users, customer, west_customer):
    client.force_login(users["agent_west"])
    assert names(client.get(LIST)) == ["赵敏"]
    client.force_login(users["agent"])
    assert names(client.get(LIST)) == ["张伟"]
    client.force_login(users["manager"])
    assert sorted(names(client.get(LIST))) == ["张伟", "赵敏"]


@pytest.mark.parametrize(
    "query", ["+86 138-1234-5678", "0086 13812345678", "138 1234 5678", "5678", "张"]
)
def test_search_by_phone_in_any_form_or_name(agent_client, customer, full_customer, query):
    assert names(agent_client.get(LIST, {"q": query})) == ["张伟"]


def test_search_by_serial(agent_client, customer, full_customer):
    assert names(agent_client.get(LIST, {"q": "SN-88001"})) == ["王芳"]


def test_search_never_reaches_other_units(agent_client, west_customer):
    assert names(agent_client.get(LIST, {"q": "13700001234"})) == []


def test_filters(agent_client, customer, full_customer, tags):
    assert names(agent_client.get(LIST, {"segment": "key"})) == ["王芳"]
    assert names(agent_client.get(LIST, {"segment": "ordinary"})) == ["张伟"]
    assert names(agent_client.get(LIST, {"tag": tags["vip"].pk})) == ["王芳"]
    assert names(agent_client.get(LIST, {"kind": "company"})) == []


def test_bad_filter_value_is_reported(agent_client, customer):
    response = agent_client.get(LIST, {"segment": "gold"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


def test_htmx_search_returns_the_table_only(agent_client, customer):
    response = agent_client.get(LIST, {"q": "张"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "张伟" in html and "<html" not in html


def test_paging_without_counting(agent_client, org):
    for i in range(55):
        CustomerFactory(unit=org["east"], name=f"客户{i:02d}")
    first = agent_client.get(LIST)
    assert len(first.context["page"]) == 50 and first.context["page"].has_next
    second = agent_client.get(LIST, {"page": 2})
    assert len(second.context["page"]) == 5 and not second.context["page"].has_next
    assert set(names(first)).isdisjoint(names(second))
    assert agent_client.get(LIST, {"page": "x"}).context["page"].number == 1


def test_customer_page_shows_the_whole_file(
    agent_client, users, org, full_customer, order_types, depts
):
    contact, order = orders.intake(
        user=users["agent"],
        unit=org["east"],
        channel="phone",
        content="空调不制冷，请派人上门",
        customer=full_customer,
        order={"order_type": order_types["repair"], "title": "空调不制冷"},
    )
    take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    response = agent_client.get(detail(full_customer))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "王芳",
        "王先生",
        "wangfang@example.com",
        "大客户",
        "东区项目",
        "139****1111",
        "010****8888",
        "阳光花园",
        "1202",
        "KF-35GW 空调",
        "SN-88001",
        "国美浦东店",
        "HZ-0001",
        "2025-06-01",
        order.number,
        "空调不制冷，请派人上门",
        reverse("workorders:detail", args=[order.pk]),
    ):
        assert text in html, text
    assert "13900001111" not in html
    # One timeline: the file, the contact, the order and its dispatch.
    timeline = [e.verb for e in response.context["timeline"]]
    assert timeline == [
        "transition.dispatch",
        "order.registered",
        "contact.registered",
        "customer.created",
    ]
    assert "派单: 已受理 → 已派单" in html and "东区工程部" in html


def test_customer_page_in_english(agent_client, users, org, full_customer, order_types, depts):
    order = orders.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["repair"],
        title="漏水",
        customer=full_customer,
    )
    take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    html = agent_client.get(
        detail(full_customer), headers={"accept-language": "en"}
    ).content.decode()
    assert "Phone numbers" in html and "Key customer" in html
    assert "Dispatch: Registered → Dispatched" in html


def test_timeline_shows_changes_before_and_after(agent_client, users, customer):
    update_customer(customer, user=users["agent"], segment="key", name="张伟强")
    html = agent_client.get(detail(customer)).content.decode()
    assert "普通用户" in html and "重点客户" in html and "张伟强" in html
    assert "text-decoration-line-through" in html


def test_timeline_loads_earlier_events_in_pages(agent_client, users, customer):
    for i in range(35):
        update_customer(customer, user=users["agent"], notes=f"备注{i}")
    page1 = agent_client.get(detail(customer))
    assert page1.context["timeline"].has_next
    url = reverse("customers:timeline", args=[customer.pk])
    page2 = agent_client.get(url, {"page": 2})
    assert page2.status_code == 200
    assert len(page2.context["timeline"]) == 5  # 35 changes, 30 a page
    assert "备注0" in page2.content.decode()


def test_timeline_hides_orders_registered_out_of_scope(client, users, org, customer, order_types):
    # HQ registers an order for the east customer in the west unit.
    orders.register_order(
        user=users["manager"],
        unit=org["west"],
        order_type=order_types["repair"],
        title="西区工单",
        customer=customer,
    )
    register_contact(
        user=users["manager"],
        unit=org["west"],
        channel="phone",
        content="西区来电",
        customer=customer,
    )
    client.force_login(users["agent"])
    html = client.get(detail(customer)).content.decode()
    assert "西区工单" not in html and "西区来电" not in html
    client.force_login(users["manager"])
    html = client.get(detail(customer)).content.decode()
    assert "西区工单" in html and "西区来电" in html


def test_other_unit_gets_404(west_client, customer):
    assert west_client.get(detail(customer)).status_code == 404
    assert west_client.get(reverse("customers:timeline", args=[customer.pk])).status_code == 404
    assert west_client.get(reverse("customers:edit", args=[customer.pk])).status_code == 404


def test_reveal_shows_the_number_and_logs_the_view(agent_client, users, customer):
    phone = customer.phones.get()
    response = agent_client.post(reverse("customers:reveal_phone", args=[phone.pk]))
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    log = AccessLog.objects.get()
    assert log.user == users["agent"] and log.subject == customer
    assert log.field == f"phone:{phone.pk}" and log.ip_address == "127.0.0.1"


def test_reveal_needs_post(agent_client, customer):
    phone = customer.phones.get()
    assert agent_client.get(reverse("customers:reveal_phone", args=[phone.pk])).status_code == 405
    assert not AccessLog.objects.exists()


def test_reveal_outside_scope_is_404_and_not_logged(west_client, customer):
    phone = customer.phones.get()
    assert west_client.post(reverse("customers:reveal_phone", args=[phone.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_reveal_by_department_staff_is_refused_and_not_logged(client, users, customer):
    client.force_login(users["handler"])
    phone = customer.phones.get()
    assert client.post(reverse("customers:reveal_phone", args=[phone.pk])).status_code == 403
    assert not AccessLog.objects.exists()


def test_reveal_of_unknown_phone_is_404(agent_client, customer):
    assert agent_client.post(reverse("customers:reveal_phone", args=[99999])).status_code == 404


def test_headquarters_does_not_see_another_organisation(client, users, customer):
    # The whole-organisation shortcut of the scope must not reach a second root.
    other = OrgUnit.objects.create(name="另一集团", code="other", kind=OrgUnit.Kind.GROUP)
    CustomerFactory(unit=other, name="外部客户")
    client.force_login(users["manager"])
    assert "外部客户" not in names(client.get(LIST))
    assert "外部客户" not in names(client.get(LIST, {"q": "外部"}))


def test_a_number_is_not_searched_in_names(agent_client, org, customer):
    CustomerFactory(unit=org["east"], name="5678 便利店")
    assert names(agent_client.get(LIST, {"q": "5678"})) == ["张伟"]
    assert names(agent_client.get(LIST, {"q": "便利店"})) == ["5678 便利店"]


def test_timeline_titles_follow_the_reader_language(client, users, org, customer):
    register_contact(
        user=users["agent"],
        unit=org["east"],
        channel="walk_in",
        content="前台来访",
        customer=customer,
    )
    update_customer(customer, user=users["agent"], notes="备注")
    client.force_login(users["agent"])
    html = client.get(detail(customer), headers={"accept-language": "en"}).content.decode()
    assert "Walk-in contact registered" in html and "Customer file changed" in html
    html = client.get(detail(customer), headers={"accept-language": "zh-hans"}).content.decode()
    assert "登记来电/接待记录（上门来访）" in html and "修改客户档案" in html


def test_a_complaint_is_registered_from_the_customer_file(agent_client, customer):
    page = agent_client.get(detail(customer)).content.decode()
    assert f"/complaints/new/?customer={customer.pk}" in page
    form = agent_client.get(f"/complaints/new/?customer={customer.pk}")
    assert form.status_code == 200
