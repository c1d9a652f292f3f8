"""The work-order API: register, list, read, edit, the closed loop through
process actions, and the errors of each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.api_tests import client_for
from kefu.contacts.models import Contact
from kefu.core.models import TimelineEvent
from kefu.factories import CustomerFactory
from kefu.processes.engine import take_transition
from kefu.workorders import services
from kefu.workorders.models import Category, WorkOrder

URL = "/api/workorders/"


@pytest.fixture
def agent(users):
    return client_for(users["agent"])


@pytest.fixture
def repair(users, org, customer, order_types):
    return services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["repair"],
        title="厨房水管漏水",
        customer=customer,
        contact_phone="13812345678",
    )


@pytest.fixture
def dispatched(repair, users, depts):
    return take_transition(repair, "dispatch", users["agent"], {"department": depts["east_eng"].pk})


def detail_url(order, suffix=""):
    return f"{URL}{order.pk}/{suffix}"


# Registering -----------------------------------------------------------------


def test_register_order(agent, customer, order_types):
    category = Category.objects.filter(
        order_type=order_types["repair"], parent__isnull=False
    ).first()
    response = agent.post(
        URL,
        {
            "order_type": "repair",
            "title": "卫生间下水道堵塞",
            "customer": customer.pk,
            "category": category.pk,
            "contact_phone": "138 1234 5678",
            "location": "3栋1单元502",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert data["number"].startswith("GD")
    assert data["state"]["code"] == "registered"
    assert data["order_type"]["code"] == "repair"
    assert data["priority"] == order_types["repair"].default_priority
    assert data["customer"]["id"] == customer.pk
    assert data["unit"]["code"] == "east"
    assert data["contact_phone"] == "138****5678"
    assert "dispatch" in [a["code"] for a in data["actions"]]
    order = WorkOrder.objects.get(pk=data["id"])
    assert order.contact_phone == "+8613812345678"
    assert TimelineEvent.objects.filter(object_id=order.pk, verb="order.registered").exists()


def test_register_order_with_its_contact(agent, users, customer):
    response = agent.post(
        URL,
        {
            "order_type": "complaint",
            "title": "维修人员态度差",
            "customer": customer.pk,
            "channel": "walk_in",
            "contact": {"content": "业主到前台投诉维修人员态度差", "caller": "张先生"},
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    contact = Contact.objects.get()
    order = WorkOrder.objects.get(pk=response.data["id"])
    assert contact.work_order == order and contact.channel == "walk_in" == order.channel
    assert contact.agent == users["agent"] and contact.customer == customer
    assert order.description == "业主到前台投诉维修人员态度差"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"order_type", "title"}),
        ({"order_type": "no-such-type", "title": "x"}, {"order_type"}),
        ({"order_type": "repair", "title": ["not", "text"]}, {"title"}),
        ({"order_type": "repair", "title": "x", "customer": "abc"}, {"customer"}),
        ({"order_type": "repair", "title": "x", "priority": "whenever"}, {"priority"}),
        ({"order_type": "repair", "title": "x", "channel": "pigeon"}, {"channel"}),
        ({"order_type": "repair", "title": "x", "appointment_at": "tomorrow"}, {"appointment_at"}),
        ({"order_type": "repair", "title": "x", "data": [1, 2]}, {"data"}),
        ({"order_type": "repair", "title": "x", "data": {"k": "a\x00b"}}, {"data"}),
        ({"order_type": "rep\x00air", "title": "x"}, {"order_type"}),
        ({"order_type": "repair", "title": "x\x00"}, {"title"}),
        (
            {"order_type": "repair", "title": "x", "appointment_at": "0489-09-27T17:45:28Z"},
            {"appointment_at"},
        ),
        ({"order_type": "repair", "title": "   "}, {"title"}),
        ({"order_type": "repair", "title": "x", "contact_phone": "12"}, {"contact_phone"}),
        ({"order_type": "repair", "title": "x", "contact": {"content": ""}}, {"contact"}),
        ({"order_type": "repair", "title": "x", "contact": "called"}, {"contact"}),
    ],
)
def test_register_order_malformed(agent, customer, body, fields):
    response = agent.post(URL, body, format="json")
    assert response.status_code == 400
    assert fields <= set(response.data), response.data
    assert not WorkOrder.objects.exists() and not Contact.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_register_order_category_of_another_type(agent, order_types):
    category = Category.objects.filter(order_type=order_types["inquiry"]).first()
    response = agent.post(
        URL, {"order_type": "repair", "title": "x", "category": category.pk}, format="json"
    )
    assert response.status_code == 400 and "category" in response.data
    assert not WorkOrder.objects.exists()


def test_register_order_invalid_json(agent):
    response = agent.generic(
        "POST", URL, '{"order_type": "repair",', content_type="application/json"
    )
    assert response.status_code == 400 and "detail" in response.data
    assert not WorkOrder.objects.exists()


def test_customer_of_another_unit_reads_as_unknown(users, org):
    east_customer = CustomerFactory(unit=org["east"])
    response = client_for(users["agent_west"]).post(
        URL, {"order_type": "repair", "title": "x", "customer": east_customer.pk}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.data
    assert not WorkOrder.objects.exists()


def test_handler_cannot_register(users):
    response = client_for(users["handler"]).post(
        URL, {"order_type": "repair", "title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not WorkOrder.objects.exists()


# Reading -----------------------------------------------------------------


def test_list_is_scoped_and_cursor_paged(users, org, order_types, agent):
    for i in range(5):
        services.register_order(
            user=users["agent"],
            unit=org["east"],
            order_type=order_types["inquiry"],
            title=f"咨询{i}",
        )
    services.register_order(
        user=users["agent_west"], unit=org["west"], order_type=order_types["inquiry"], title="西区"
    )
    first = agent.get(URL, {"page_size": 3})
    assert first.status_code == 200
    assert [o["title"] for o in first.data["results"]] == ["咨询4", "咨询3", "咨询2"]
    second = agent.get(first.data["next"])
    assert [o["title"] for o in second.data["results"]] == ["咨询1", "咨询0"]
    assert second.data["next"] is None
    west = client_for(users["agent_west"]).get(URL)
    assert [o["title"] for o in west.data["results"]] == ["西区"]
    manager = client_for(users["manager"]).get(URL)
    assert len(manager.data["results"]) == 6


def test_list_without_n_plus_one(users, org, order_types, customer, depts, agent):
    def add_orders(count):
        for i in range(count):
            order = services.register_order(
                user=users["agent"],
                unit=org["east"],
                order_type=order_types["repair"],
                title=f"报修{i}",
                customer=customer,
            )
            take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = agent.get(URL)
        return len(context.captured_queries), len(response.data["results"])

    add_orders(1)
    one, rows = queries()
    add_orders(29)
    assert queries() == (one, rows + 29)


def test_list_filters(users, org, order_types, customer, dispatched, agent, depts):
    inquiry = services.register_order(
        user=users["agent"], unit=org["east"], order_type=order_types["inquiry"], title="物业费标准"
    )

    def numbers(**params):
        response = agent.get(URL, params)
        assert response.status_code == 200, response.data
        return {o["number"] for o in response.data["results"]}

    assert numbers(state="dispatched") == {dispatched.number}
    assert numbers(type="inquiry") == {inquiry.number}
    assert numbers(department=depts["east_eng"].pk) == {dispatched.number}
    assert numbers(customer=customer.pk) == {dispatched.number}
    assert numbers(q="物业费") == {inquiry.number}
    assert numbers(number=inquiry.number) == {inquiry.number}
    assert numbers(overdue="true") == set()
    WorkOrder.objects.filter(pk=dispatched.pk).update(due_at="2020-01-01T00:00:00Z")
    assert numbers(overdue="true") == {dispatched.number}
    assert numbers(created_after="2020-01-01") == {dispatched.number, inquiry.number}
    assert numbers(created_before="2020-01-01") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"priority": "whenever"},
        {"type": "no-such-type"},
        {"type": "repair\x00"},
        {"q": "\x00"},
        {"department": "abc"},
        {"customer": "1.5"},
        {"customer": "9" * 30},
        {"created_after": "yesterday"},
        {"created_after": "0001-01-01"},
        {"created_before": "9999-12-31"},
        {"overdue": "maybe"},
        {"cursor": "not-a-cursor"},
    ],
)
def test_list_malformed_filters(agent, params):
    response = agent.get(URL, params)
    assert response.status_code in (400, 404)
    assert response.data


def test_retrieve_shows_state_actions_and_deadline(agent, dispatched, users):
    data = agent.get(detail_url(dispatched)).data
    assert data["state"] == {
        "code": "dispatched",
        "name": "已派单",
        "kind": "active",
        "color": "indigo",
    }
    assert data["department"]["name"] == "东区工程部"
    assert data["due_at"] and data["is_overdue"] is False
    assert data["contact_phone"] == "138****5678"
    assert data["actions"] == []
    handler = client_for(users["handler"]).get(detail_url(dispatched)).data
    assert {a["code"] for a in handler["actions"]} == {"accept", "complete", "send_back"}
    assert handler["can_edit"] is False


def test_scope_isolation(dispatched, users):
    for name in ("agent_west", "handler_west"):
        client = client_for(users[name])
        assert client.get(detail_url(dispatched)).status_code == 404
        assert client.get(f"{URL}by-number/{dispatched.number}/").status_code == 404
        assert client.get(detail_url(dispatched, "transitions/")).status_code == 404
        assert client.get(detail_url(dispatched, "timeline/")).status_code == 404
        response = client.post(detail_url(dispatched, "transitions/accept/"), {}, format="json")
        assert response.status_code == 404
        assert client.get(URL).data["results"] == []
    assert WorkOrder.objects.get(pk=dispatched.pk).state.code == "dispatched"


def test_handler_sees_only_own_department(users, org, order_types, dispatched):
    services.register_order(
        user=users["agent"], unit=org["east"], order_type=order_types["repair"], title="未派单"
    )
    response = client_for(users["handler"]).get(URL)
    assert [o["number"] for o in response.data["results"]] == [dispatched.number]


def test_by_number(agent, repair):
    response = agent.get(f"{URL}by-number/{repair.number}/")
    assert response.status_code == 200 and response.data["id"] == repair.pk
    assert agent.get(f"{URL}by-number/GD20000101-9999/").status_code == 404
    assert agent.get(f"{URL}by-number/GD%00/").status_code == 404


# Editing -----------------------------------------------------------------


def test_partial_update(agent, repair):
    response = agent.patch(
        detail_url(repair), {"title": "厨房水管爆裂", "priority": "urgent"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["title"] == "厨房水管爆裂" and response.data["priority"] == "urgent"
    event = TimelineEvent.objects.get(object_id=repair.pk, verb="order.updated")
    assert event.before == {"title": "厨房水管漏水", "priority": "normal"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "whenever"}, "priority"),
        ({"title": ""}, "title"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"category": 999999}, "category"),
        ({"appointment_at": "soon"}, "appointment_at"),
    ],
)
def test_partial_update_malformed(agent, repair, body, field):
    response = agent.patch(detail_url(repair), body, format="json")
    assert response.status_code == 400 and field in response.data
    repair.refresh_from_db()
    assert repair.title == "厨房水管漏水" and repair.priority == "normal"
    assert not TimelineEvent.objects.filter(verb="order.updated").exists()


def test_handler_cannot_edit(users, dispatched):
    response = client_for(users["handler"]).patch(
        detail_url(dispatched), {"title": "x"}, format="json"
    )
    assert response.status_code == 403


def test_closed_order_cannot_be_edited(agent, users, org, order_types):
    inquiry = services.register_order(
        user=users["agent"], unit=org["east"], order_type=order_types["inquiry"], title="停车费"
    )
    take_transition(inquiry, "answer", users["agent"], {"reply_note": "每月300元"})
    response = agent.patch(detail_url(inquiry), {"title": "x"}, format="json")
    assert response.status_code == 400 and response.data["detail"]


# Process actions -----------------------------------------------------------


def test_available_transitions_with_their_fields(agent, repair, depts):
    response = agent.get(detail_url(repair, "transitions/"))
    assert response.status_code == 200
    actions = {a["code"]: a for a in response.data}
    assert set(actions) == {"dispatch"}
    dispatch = actions["dispatch"]
    assert dispatch["name"] == "派单" and dispatch["target"]["code"] == "dispatched"
    fields = {f["name"]: f for f in dispatch["fields"]}
    assert fields["department"]["required"] is True and fields["department"]["type"] == "choice"
    choices = {c["value"]: c["label"] for c in fields["department"]["choices"]}
    assert choices[depts["east_eng"].pk] == "东区工程部"
    assert depts["west_eng"].pk not in choices
    assert (
        fields["appointment_at"]["type"] == "datetime" and not fields["appointment_at"]["required"]
    )
    assert fields["note"]["type"] == "text"


def test_closed_loop_over_the_api(users, repair, depts):
    agent, handler = client_for(users["agent"]), client_for(users["handler"])
    callback = client_for(users["callback"])

    def act(client, code, body=None):
        response = client.post(
            detail_url(repair, f"transitions/{code}/"), body or {}, format="json"
        )
        assert response.status_code == 200, response.data
        return response.data

    assert (
        act(agent, "dispatch", {"department": depts["east_eng"].pk})["state"]["code"]
        == "dispatched"
    )
    assert act(handler, "accept")["assignee"]["username"] == "handler_east"
    assert act(handler, "complete", {"result": "更换水管接头"})["state"]["code"] == "resolved"
    act(agent, "inform", {"reply_note": "已电话告知业主"})
    act(callback, "callback", {"satisfaction": "satisfied", "callback_note": "业主满意"})
    data = act(agent, "archive")
    assert data["state"]["code"] == "archived" and data["is_closed"] and data["actions"] == []
    timeline = agent.get(detail_url(repair, "timeline/")).data["results"]
    verbs = [e["verb"] for e in reversed(timeline)]
    assert verbs == [
        "order.registered",
        "transition.dispatch",
        "transition.accept",
        "transition.complete",
        "transition.inform",
        "transition.callback",
        "transition.archive",
    ]
    assert timeline[0]["actor"]["username"] == "agent_east"
    assert timeline[0]["subject_type"] == "workorder"


def test_handler_sending_back_gets_the_result(users, dispatched):
    response = client_for(users["handler"]).post(
        detail_url(dispatched, "transitions/send_back/"), {"reason": "不属于本部门"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["state"]["code"] == "registered" and response.data["department"] is None


def test_transition_missing_field(agent, repair):
    response = agent.post(detail_url(repair, "transitions/dispatch/"), {}, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid" and response.data["department"]
    assert WorkOrder.objects.get(pk=repair.pk).state.code == "registered"


def test_transition_wrong_state_is_409(agent, repair):
    response = agent.post(detail_url(repair, "transitions/archive/"), {}, format="json")
    assert response.status_code == 409 and response.data["code"] == "state"
    assert "已受理" in response.data["detail"]


def test_transition_not_allowed_is_403(agent, dispatched):
    response = agent.post(detail_url(dispatched, "transitions/accept/"), {}, format="json")
    assert response.status_code == 403 and response.data["code"] == "forbidden"
    assert WorkOrder.objects.get(pk=dispatched.pk).state.code == "dispatched"


def test_unknown_transition_is_404(agent, repair):
    response = agent.post(detail_url(repair, "transitions/teleport/"), {}, format="json")
    assert response.status_code == 404 and response.data["code"] == "unknown"


@pytest.mark.parametrize("body", ['["department"]', '{"department": {"id": 1}}', '{"department":'])
def test_transition_malformed_body(agent, repair, body):
    response = agent.generic(
        "POST", detail_url(repair, "transitions/dispatch/"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert WorkOrder.objects.get(pk=repair.pk).state.code == "registered"


def test_transition_department_out_of_reach(agent, repair, depts):
    response = agent.post(
        detail_url(repair, "transitions/dispatch/"),
        {"department": depts["west_eng"].pk},
        format="json",
    )
    assert response.status_code == 400 and "department" in response.data


# Notes, charges, attachments ---------------------------------------------------


def test_notes(agent, repair, users):
    response = agent.post(detail_url(repair, "notes/"), {"body": "业主下午在家"}, format="json")
    assert response.status_code == 201 and response.data["author"]["username"] == "agent_east"
    notes = agent.get(detail_url(repair, "notes/")).data
    assert [n["body"] for n in notes] == ["业主下午在家"]
    assert TimelineEvent.objects.filter(object_id=repair.pk, verb="order.note").exists()


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": ["x"]}])
def test_notes_malformed(agent, repair, body):
    response = agent.post(detail_url(repair, "notes/"), body, format="json")
    assert response.status_code == 400 and "body" in response.data
    assert not repair.notes.exists()


def test_notes_out_of_scope(users, repair):
    client = client_for(users["agent_west"])
    assert client.get(detail_url(repair, "notes/")).status_code == 404
    assert (
        client.post(detail_url(repair, "notes/"), {"body": "x"}, format="json").status_code == 404
    )
    assert not repair.notes.exists()


def test_charges_and_billing(agent, dispatched, users):
    response = agent.post(
        detail_url(dispatched, "charges/"),
        {"item": "更换水管接头", "amount": "85.50"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["amount"] == "85.50" and response.data["status"] == "pending"
    charge_id = response.data["id"]
    bill_url = detail_url(dispatched, f"charges/{charge_id}/bill/")
    assert agent.post(bill_url).status_code == 403
    assert client_for(users["handler"]).post(bill_url).status_code == 403
    assert client_for(users["agent_west"]).post(bill_url).status_code == 404
    # Finance does not see the order (it went to engineering) but bills its charges.
    finance = client_for(users["finance"])
    assert [c["id"] for c in finance.get("/api/charges/").data] == [charge_id]
    response = finance.post(bill_url)
    assert response.status_code == 200 and response.data["status"] == "billed"
    assert response.data["billed_by"]["username"] == "finance_hq"
    again = client_for(users["supervisor"]).post(bill_url)
    assert again.status_code == 400 and again.data["detail"]
    assert agent.get(detail_url(dispatched, "charges/")).data[0]["status"] == "billed"
    assert finance.get("/api/charges/").data == []
    assert finance.post(detail_url(dispatched, "charges/999999/bill/")).status_code == 404
    assert finance.post(f"{URL}{'9' * 30}/charges/{charge_id}/bill/").status_code == 404
    assert finance.post(f"{URL}{dispatched.pk + 1}/charges/{charge_id}/bill/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item": "x"}, "amount"),
        ({"amount": "10"}, "item"),
        ({"item": "x", "amount": "abc"}, "amount"),
        ({"item": "x", "amount": "-5"}, "amount"),
        ({"item": "x", "amount": "0"}, "amount"),
        ({"item": "x", "amount": "12345678901"}, "amount"),
        ({"item": "x", "amount": "1.234"}, "amount"),
    ],
)
def test_charges_malformed(agent, repair, body, field):
    response = agent.post(detail_url(repair, "charges/"), body, format="json")
    assert response.status_code == 400 and field in response.data
    assert not repair.charges.exists()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_attachments(agent, repair, users, media):
    response = agent.post(
        detail_url(repair, "attachments/"),
        {"file": upload("现场照片.jpg", b"jpeg-bytes")},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    assert response.data["name"] == "现场照片.jpg" and response.data["size"] == 10
    listed = agent.get(detail_url(repair, "attachments/")).data
    assert [a["id"] for a in listed] == [response.data["id"]]
    download = agent.get(listed[0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"jpeg-bytes"
    assert "attachment" in download["Content-Disposition"]
    other = client_for(users["agent_west"])
    assert other.get(listed[0]["download_url"]).status_code == 404
    binary = agent.get(listed[0]["download_url"], HTTP_ACCEPT="application/octet-stream")
    assert binary.status_code == 200


def test_attachments_malformed(agent, repair, media, settings):
    url = detail_url(repair, "attachments/")
    assert agent.post(url, {}, format="multipart").status_code == 400
    empty = agent.post(url, {"file": upload("empty.jpg", b"")}, format="multipart")
    assert empty.status_code == 400 and "file" in empty.data
    assert agent.post(url, {"file": "x"}, format="json").status_code == 415
    settings.KEFU_ATTACHMENT_MAX_BYTES = 5
    big = agent.post(url, {"file": upload("big.jpg", b"0123456789")}, format="multipart")
    assert big.status_code == 400 and "file" in big.data
    assert not repair.attachments.exists()
    assert agent.get(detail_url(repair, "attachments/999999/download/")).status_code == 404


# Reference data -----------------------------------------------------------


def test_order_types_categories_and_processes(agent):
    types = agent.get("/api/order-types/").data
    assert [t["code"] for t in types][:3] == ["inquiry", "complaint", "repair"]
    assert types[2]["name"] == "报修"
    assert agent.get("/api/order-types/repair/").data["process_code"] == "closed_loop"
    categories = agent.get("/api/categories/", {"order_type": "repair", "top_level": "true"}).data
    assert "水电维修" in [c["name"] for c in categories]
    assert all(c["order_type"] == "repair" and c["parent"] is None for c in categories)
    processes = agent.get("/api/process-definitions/", {"code": "closed_loop"}).data
    assert len(processes) == 1
    process = processes[0]
    assert [s["code"] for s in process["states"]][0] == "registered"
    dispatch = next(t for t in process["transitions"] if t["code"] == "dispatch")
    assert dispatch["sources"] == ["registered"] and dispatch["target"] == "dispatched"
    assert "agent" in dispatch["allowed_roles"]


def test_names_in_the_users_language(users, repair):
    english = client_for(users["agent"], language="en")
    data = english.get(detail_url(repair)).data
    assert data["state"]["name"] == "Registered" and data["order_type"]["name"] == "Repair"
    dispatch = english.get(detail_url(repair, "transitions/")).data[0]
    assert dispatch["name"] == "Dispatch"
    assert {f["name"]: f["label"] for f in dispatch["fields"]}[
        "department"
    ] == "Responsible department"
