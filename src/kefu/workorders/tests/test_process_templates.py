"""Process templates as administrators manage them: the pages, the editor
that saves a new version, JSON import and export in the UI and the API, the
printed forms of a step, and who may do what."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.api_tests import client_for
from kefu.core.roles import Role
from kefu.core.timeline import events_for
from kefu.factories import UserFactory
from kefu.processes.engine import take_transition
from kefu.processes.models import ProcessDefinition
from kefu.processes.presets import export_definition
from kefu.processes.tests.conftest import simple_spec
from kefu.workorders import process_templates, services


@pytest.fixture
def admin(org):
    return UserFactory(username="ops", role=Role.ADMIN, unit=org["hq"])


@pytest.fixture
def key_lending():
    return ProcessDefinition.objects.get(code="key_lending", is_active=True)


def test_the_list_shows_every_template_with_its_order_types(client, users):
    client.force_login(users["supervisor"])
    page = client.get("/orders/processes/").content.decode()
    for name in ("物业报修", "钥匙借用", "售后客诉单", "中差评回访", "工单闭环"):
        assert name in page
    assert "New template" not in page and "新建模板" not in page


def test_the_detail_page_draws_the_diagram(client, users, key_lending):
    client.force_login(users["agent"])
    response = client.get(f"/orders/processes/{key_lending.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="process-diagram-data"' in page
    assert "钥匙借用表" in page
    data = response.context["diagram"]
    assert {n["name"] for n in data["nodes"]} == {
        "registered",
        "approved",
        "lent",
        "returned",
        "refused",
    }
    lend = next(link for link in data["links"] if link["source"] == "approved")
    assert (lend["target"], lend["value"]) == ("lent", "登记借出")
    verify = [link for link in data["links"] if link["target"] == "approved"]
    assert len({link["lineStyle"]["curveness"] for link in verify}) == 2


def test_department_staff_do_not_see_templates(client, users, key_lending):
    client.force_login(users["handler"])
    assert client.get("/orders/processes/").status_code == 403
    assert client.get(f"/orders/processes/{key_lending.pk}/").status_code == 403


def test_export_downloads_the_json(client, users, key_lending):
    client.force_login(users["agent"])
    response = client.get(f"/orders/processes/{key_lending.pk}/export/")
    assert response["Content-Disposition"].endswith(f'key_lending-v{key_lending.version}.json"')
    assert json.loads(response.content) == export_definition(key_lending)


def test_only_administrators_edit(client, users, key_lending):
    client.force_login(users["supervisor"])
    assert client.get(f"/orders/processes/{key_lending.pk}/edit/").status_code == 403
    before = ProcessDefinition.objects.count()
    spec = export_definition(key_lending)
    response = client.post(f"/orders/processes/{key_lending.pk}/edit/", {"spec": json.dumps(spec)})
    assert response.status_code == 403
    assert ProcessDefinition.objects.count() == before


def test_saving_an_edit_makes_a_new_active_version_and_running_orders_keep_theirs(
    client, admin, users, org, customer, order_types, key_lending
):
    running = services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["key_lending"],
        title="借钥匙",
        customer=customer,
    )
    spec = export_definition(key_lending)
    spec["transitions"][0]["name"] = "核实业主身份证件"
    client.force_login(admin)
    response = client.post(f"/orders/processes/{key_lending.pk}/edit/", {"spec": json.dumps(spec)})
    newer = ProcessDefinition.objects.get(code="key_lending", is_active=True)
    assert response.status_code == 302
    assert response["Location"] == f"/orders/processes/{newer.pk}/"
    assert newer.version == key_lending.version + 1
    assert newer.transitions.get(code="verify_owner").name == "核实业主身份证件"
    running.refresh_from_db()
    assert running.process_id == key_lending.pk
    fresh = services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["key_lending"],
        title="借钥匙",
        customer=customer,
    )
    assert fresh.process_id == newer.pk
    event = events_for(newer).get()
    assert event.verb == "process.saved"
    assert event.actor == admin
    assert event.before == {"version": key_lending.version}


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "不是有效的 JSON"),
        ("[1, 2]", "JSON 对象"),
        (json.dumps({**simple_spec(), "states": simple_spec()["states"][:2]}), "结束状态"),
    ],
)
def test_a_bad_template_is_shown_back_with_its_problems(client, admin, text, message):
    before = ProcessDefinition.objects.count()
    client.force_login(admin)
    response = client.post("/orders/processes/new/", {"spec": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "{not json" in page or text[:20].replace('"', "&quot;") in page
    assert ProcessDefinition.objects.count() == before


def test_the_preview_checks_and_draws_without_saving(client, admin):
    client.force_login(admin)
    before = ProcessDefinition.objects.count()
    good = client.post("/orders/processes/preview/", {"spec": json.dumps(simple_spec())})
    assert 'id="preview-ok"' in good.content.decode()
    bad_spec = simple_spec()
    bad_spec["states"].append({"code": "island", "name": "孤岛"})
    bad = client.post("/orders/processes/preview/", {"spec": json.dumps(bad_spec)})
    assert "无法从开始状态到达" in bad.content.decode() or "island" in bad.content.decode()
    assert 'id="preview-errors"' in bad.content.decode()
    assert ProcessDefinition.objects.count() == before


def test_import_through_the_page(client, admin, key_lending):
    spec = export_definition(key_lending)
    spec["code"] = "key_lending_copy"
    upload = SimpleUploadedFile(
        "copy.json", json.dumps(spec, ensure_ascii=False).encode(), "application/json"
    )
    client.force_login(admin)
    response = client.post("/orders/processes/import/", {"file": upload})
    copy = ProcessDefinition.objects.get(code="key_lending_copy")
    assert response["Location"] == f"/orders/processes/{copy.pk}/"
    assert copy.custom_fields == key_lending.custom_fields
    assert copy.forms == key_lending.forms


def test_importing_a_file_that_is_not_json_says_so(client, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile("x.json", b"\xff\xfe garbage", "application/json")
    response = client.post("/orders/processes/import/", {"file": upload}, follow=True)
    assert "UTF-8" in response.content.decode()


def test_api_export_and_import(users, admin, key_lending):
    exported = client_for(users["agent"]).get(f"/api/process-definitions/{key_lending.pk}/export/")
    assert exported.status_code == 200
    spec = exported.json()
    spec["code"] = "key_lending_api"
    refused = client_for(users["supervisor"]).post(
        "/api/process-definitions/import/", spec, format="json"
    )
    assert refused.status_code == 403
    created = client_for(admin).post("/api/process-definitions/import/", spec, format="json")
    assert created.status_code == 201
    assert created.json()["code"] == "key_lending_api"
    assert created.json()["custom_fields"][0]["name"] == "borrower_name"


def test_api_import_of_a_bad_template_is_a_400_with_the_problems(admin):
    spec = simple_spec()
    spec["transitions"][0]["roles"] = ["janitor"]
    response = client_for(admin).post("/api/process-definitions/import/", spec, format="json")
    assert response.status_code == 400
    assert "janitor" in response.json()["detail"]
    assert not ProcessDefinition.objects.filter(code="simple").exists()


def test_save_template_refuses_everyone_but_administrators(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        process_templates.save_template(user=users["supervisor"], spec=simple_spec())
    assert not ProcessDefinition.objects.filter(code="simple").exists()


def test_a_step_prints_its_form_with_the_orders_values(client, users, org, customer, order_types):
    order = services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["key_lending"],
        title="借钥匙",
        customer=customer,
    )
    order = take_transition(
        order, "verify_owner", users["agent"], {"borrower_name": "王建国", "borrower_id": "3101"}
    )
    client.force_login(users["agent"])
    detail = client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/orders/{order.pk}/print/key_form/" in detail
    page = client.get(f"/orders/{order.pk}/print/key_form/").content.decode()
    assert "钥匙借用表" in page and "王建国" in page and "借用人" in page
    assert client.get(f"/orders/{order.pk}/print/nothing/").status_code == 404
    client.force_login(users["agent_west"])
    assert client.get(f"/orders/{order.pk}/print/key_form/").status_code == 404


def test_a_form_printed_in_two_copies(client, users, org, customer, order_types):
    order = services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["parking_lease"],
        title="租车位",
        customer=customer,
    )
    order = take_transition(
        order, "check_documents", users["agent"], {"plate_number": "沪A1", "documents_ok": "on"}
    )
    client.force_login(users["agent"])
    page = client.get(f"/orders/{order.pk}/print/commitment/").content.decode()
    assert page.count('class="print-copy') == 2


def test_due_dates_list_renewals_and_returns_in_scope(client, users, org, customer, order_types):
    from datetime import date

    def lent(expected):
        order = services.register_order(
            user=users["agent"],
            unit=org["east"],
            order_type=order_types["key_lending"],
            title="借钥匙",
            customer=customer,
        )
        order = take_transition(
            order, "verify_owner", users["agent"], {"borrower_name": "王", "borrower_id": "1"}
        )
        return take_transition(
            order, "lend", users["agent"], {"key_number": "K1", "expected_return": expected}
        )

    overdue, later = lent("2026-01-05"), lent("2099-01-01")
    rows = process_templates.date_reminders(users["agent"], date(2026, 1, 10))
    assert [r["order"] for r in rows] == [overdue]
    assert rows[0]["days_overdue"] == 5
    assert later not in [r["order"] for r in rows]
    assert process_templates.date_reminders(users["agent_west"], date(2026, 1, 10)) == []
    client.force_login(users["agent"])
    page = client.get("/orders/processes/reminders/").content.decode()
    assert overdue.number in page and "预计归还日期" in page
