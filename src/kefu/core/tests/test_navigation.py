from django.urls import reverse

from kefu.core.roles import Role
from kefu.factories import UserFactory


def nav(client, user):
    client.force_login(user)
    return client.get(reverse("customers:list") if user.is_center_staff else "/").context[
        "nav_items"
    ]


def test_a_supervisor_gets_menus_and_the_workbench_alone(client, users):
    items = nav(client, users["supervisor"])
    labels = [str(i["label"]) for i in items]
    assert labels[0] == "工作台" and "entries" not in items[0]
    orders = next(i for i in items if str(i["label"]) == "工单")
    assert [e["url"] for e in orders["entries"]][:3] == [
        "/orders/",
        "/orders/inbox/",
        "/sla/at-risk/",
    ]
    customers = next(i for i in items if str(i["label"]) == "客户档案")
    assert customers["active"] is True  # the page shown is in this menu
    assert [e["active"] for e in customers["entries"]] == [True, False]


def test_a_single_entry_stands_alone(client, org):
    callback_agent = UserFactory(username="cb1", role=Role.CALLBACK_AGENT, unit=org["east"])
    items = nav(client, callback_agent)
    mine = next(i for i in items if i.get("url") == reverse("callbacks:my_list"))
    assert "entries" not in mine
    assert all("entries" not in i or len(i["entries"]) > 1 for i in items)


def test_the_menu_renders_as_a_dropdown(client, users):
    client.force_login(users["supervisor"])
    html = client.get(reverse("customers:list")).content.decode()
    assert 'class="nav-link dropdown-toggle"' in html
    assert f'href="{reverse("contacts:list")}"' in html
