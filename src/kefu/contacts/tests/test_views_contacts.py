"""The contact records list (来电/接待记录)."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.contacts.services import register_contact
from kefu.workorders.services import intake

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")


def at(text):
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def contacts(users, org, customer, order_types):
    agent, supervisor = users["agent"], users["supervisor"]
    contact, order = intake(
        user=agent,
        unit=org["east"],
        channel="phone",
        content="厨房水管漏水",
        customer=customer,
        order={"order_type": order_types["repair"], "title": "厨房水管漏水"},
        contact_fields={"occurred_at": at("2026-03-02 09:15"), "caller": "13812345678"},
    )
    return {
        "leak": contact,
        "order": order,
        "walk_in": register_contact(
            user=supervisor,
            unit=org["east"],
            channel="walk_in",
            content="前台咨询物业费标准",
            occurred_at=at("2026-03-05 14:00"),
        ),
        "late": register_contact(
            user=agent,
            unit=org["east"],
            channel="wechat",
            content="微信询问停车位",
            customer=customer,
            occurred_at=at("2026-03-10 23:59"),
        ),
        "west": register_contact(
            user=users["agent_west"],
            unit=org["west"],
            channel="phone",
            content="西区来电",
            occurred_at=at("2026-03-03 10:00"),
        ),
    }


def contents(response):
    return [c.content for c in response.context["page"]]


@pytest.fixture
def agent_client(client, users):
    client.force_login(users["agent"])
    return client


def test_login_and_center_role_required(client, users):
    assert client.get(LIST).status_code == 302
    client.force_login(users["handler"])
    assert client.get(LIST).status_code == 403


def test_list_shows_scope_only_newest_first(agent_client, contacts):
    response = agent_client.get(LIST)
    assert response.status_code == 200
    assert contents(response) == ["微信询问停车位", "前台咨询物业费标准", "厨房水管漏水"]
    assert "西区来电" not in response.content.decode()


def test_other_unit_sees_only_its_own(client, users, contacts):
    client.force_login(users["agent_west"])
    assert contents(client.get(LIST)) == ["西区来电"]


def test_links_to_customer_and_work_order(agent_client, contacts, customer):
    html = agent_client.get(LIST).content.decode()
    assert reverse("customers:detail", args=[customer.pk]) in html
    assert reverse("workorders:detail", args=[contacts["order"].pk]) in html
    assert contacts["order"].number in html
    assert "未建档来电" in html  # the walk-in without a customer file


def test_filter_by_channel(agent_client, contacts):
    assert contents(agent_client.get(LIST, {"channel": "walk_in"})) == ["前台咨询物业费标准"]


def test_filter_by_date_range_includes_the_whole_last_day(agent_client, contacts):
    response = agent_client.get(LIST, {"date_from": "2026-03-05", "date_to": "2026-03-10"})
    assert contents(response) == ["微信询问停车位", "前台咨询物业费标准"]
    assert contents(agent_client.get(LIST, {"date_to": "2026-03-04"})) == ["厨房水管漏水"]


def test_filter_by_agent(agent_client, users, contacts):
    response = agent_client.get(LIST, {"agent": users["supervisor"].pk})
    assert contents(response) == ["前台咨询物业费标准"]


def test_agents_of_other_units_are_not_offered(agent_client, users, contacts):
    response = agent_client.get(LIST, {"agent": users["agent_west"].pk})
    assert response.context["form"].errors["agent"]
    assert users["agent_west"] not in response.context["form"].fields["agent"].queryset


def test_filter_by_customer(agent_client, contacts, customer):
    response = agent_client.get(LIST, {"customer": customer.pk})
    assert contents(response) == ["微信询问停车位", "厨房水管漏水"]
    assert response.context["customer"] == customer


def test_filter_by_customer_of_another_unit_shows_nothing(client, users, contacts, customer):
    client.force_login(users["agent_west"])
    response = client.get(LIST, {"customer": customer.pk})
    assert contents(response) == [] and response.context["customer"] is None
    assert customer.name not in response.content.decode()


def test_search_in_content_and_caller(agent_client, contacts):
    assert contents(agent_client.get(LIST, {"q": "物业费"})) == ["前台咨询物业费标准"]
    assert contents(agent_client.get(LIST, {"q": "13812345678"})) == ["厨房水管漏水"]


def test_bad_date_is_reported_and_left_out(agent_client, contacts):
    response = agent_client.get(LIST, {"date_from": "2026-02-30", "channel": "walk_in"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()
    assert contents(response) == ["前台咨询物业费标准"]


def test_reversed_range_is_reported(agent_client, contacts):
    response = agent_client.get(LIST, {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert "结束日期早于开始日期" in response.content.decode()


def test_htmx_filter_returns_the_table_only(agent_client, contacts):
    response = agent_client.get(LIST, {"channel": "wechat"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "微信询问停车位" in html and "<html" not in html


def test_english(agent_client, contacts):
    html = agent_client.get(LIST, headers={"accept-language": "en"}).content.decode()
    assert "Contact records" in html and "Walk-in" in html and "Unknown caller" in html
