"""The order list: scope, filters, paging and bad filter input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.processes.engine import take_transition
from kefu.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

LIST = reverse("workorders:list")


def numbers(response):
    return [o.number for o in response.context["page"]]


def test_login_required(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_list_shows_badges_and_due_time(login, users, dispatched):
    WorkOrder.objects.filter(pk=dispatched.pk).update(due_at=timezone.now() - timedelta(hours=1))
    response = login(users["agent"]).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200 and numbers(response) == [dispatched.number]
    assert 'badge bg-indigo-lt">已派单' in html and "text-danger" in html and "ti-alarm" in html
    assert "共 1 张工单" in html


def test_list_never_shows_rows_out_of_scope(login, users, dispatched, west_order):
    assert numbers(login(users["agent"]).get(LIST)) == [dispatched.number]
    assert numbers(login(users["agent_west"]).get(LIST)) == [west_order.number]
    assert numbers(login(users["handler"]).get(LIST)) == [dispatched.number]
    assert numbers(login(users["handler_west"]).get(LIST)) == [west_order.number]
    assert numbers(login(users["finance"]).get(LIST)) == []
    assert set(numbers(login(users["manager"]).get(LIST))) == {dispatched.number, west_order.number}


def test_filters(login, users, make_order, depts, order_types, customer):
    leak = make_order("卫生间漏水", priority="urgent", channel="wechat")
    lift = take_transition(
        make_order("电梯异响", user=users["supervisor"]),
        "dispatch",
        users["agent"],
        {"department": depts["east_eng"].pk},
    )
    WorkOrder.objects.filter(pk=lift.pk).update(due_at=timezone.now() - timedelta(hours=1))
    inquiry = make_order("物业费咨询", type_code="inquiry", customer=None)
    WorkOrder.objects.filter(pk=inquiry.pk).update(created_at=timezone.now() - timedelta(days=3))
    client = login(users["agent"])

    def run(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return numbers(response)

    assert run() == [lift.number, leak.number, inquiry.number]
    assert run(q="漏水") == [leak.number]
    assert run(q=lift.number) == [lift.number]
    assert run(q="张伟") == [lift.number, leak.number]
    assert run(state="dispatched") == [lift.number]
    assert run(order_type=order_types["inquiry"].pk) == [inquiry.number]
    assert run(priority="urgent") == [leak.number]
    assert run(department=depts["east_eng"].pk) == [lift.number]
    assert run(channel="wechat") == [leak.number]
    assert run(overdue="on") == [lift.number]
    assert run(mine="on") == [leak.number, inquiry.number]
    today = timezone.localdate()
    assert run(date_from=today.isoformat()) == [lift.number, leak.number]
    assert run(date_to=(today - timedelta(days=1)).isoformat()) == [inquiry.number]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-13-45"}, "date_from", "输入一个有效的日期。"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to", "结束日期早于开始日期。"),
        ({"priority": "whenever"}, "priority", "选择一个有效的选项"),
        ({"department": "999999"}, "department", "选择一个有效的选项"),
    ],
)
def test_bad_filters_are_reported_not_applied(login, users, dispatched, params, field, message):
    response = login(users["agent"]).get(LIST, params)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert numbers(response) == [dispatched.number]


def test_west_department_is_not_a_filter_choice_in_the_east(login, users, depts, west_order):
    response = login(users["agent"]).get(LIST, {"department": depts["west_eng"].pk})
    assert "department" in response.context["form"].errors and numbers(response) == []


def test_paging_without_a_full_count(login, users, make_order, settings):
    for i in range(27):
        make_order(f"工单{i}")
    client = login(users["agent"])
    first = client.get(LIST)
    assert len(numbers(first)) == 25 and first.context["page"].has_next
    second = client.get(LIST, {"page": 2})
    assert len(numbers(second)) == 2 and not second.context["page"].has_next
    assert not set(numbers(first)) & set(numbers(second))
    assert "?page=2" in first.content.decode()
    assert client.get(LIST, {"page": "abc"}).status_code == 200


def test_total_is_capped(login, users, make_order, monkeypatch):
    from kefu.workorders import views

    monkeypatch.setattr(views, "COUNT_CAP", 2)
    for i in range(3):
        make_order(f"工单{i}")
    response = login(users["agent"]).get(LIST)
    assert response.context["total_capped"] and "超过 2 张工单" in response.content.decode()


def test_list_makes_a_constant_number_of_queries(
    login, users, make_order, django_assert_max_num_queries
):
    for i in range(10):
        make_order(f"工单{i}")
    client = login(users["agent"])
    with django_assert_max_num_queries(12):
        client.get(LIST)
