"""A template's own fields: declared as data, asked for by transitions,
validated, stored in the subject's ``data``, shown with their labels."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.timeline import events_for
from kefu.processes.engine import TransitionError, take_transition, transition_form
from kefu.processes.presets import load_definition, validate_spec
from kefu.processes.tests.conftest import simple_spec
from kefu.workorders.printing import template_field_names

FIELDS = [
    {"name": "key_number", "label": "钥匙编号", "label_en": "Key number", "type": "text"},
    {"name": "remark", "label": "备注", "type": "longtext"},
    {"name": "quantity", "label": "数量", "type": "number"},
    {"name": "fee", "label": "费用", "type": "money"},
    {"name": "due", "label": "日期", "type": "date"},
    {
        "name": "stock",
        "label": "库存",
        "type": "choice",
        "choices": [
            {"value": "in_stock", "label": "有货", "label_en": "In stock"},
            {"value": "none", "label": "无货"},
        ],
    },
    {"name": "scan", "label": "扫描件", "type": "file"},
    {"name": "consent", "label": "业主同意", "type": "consent"},
]


def spec_with_fields(required=True):
    spec = simple_spec()
    spec["custom_fields"] = FIELDS
    spec["transitions"][0]["fields"] = [{"name": f["name"], "required": required} for f in FIELDS]
    spec["transitions"][1]["conditions"] = {
        "stock": {"eq": "in_stock", "message": "无货时不能完成。"}
    }
    return spec


@pytest.fixture
def definition(db):
    return load_definition(spec_with_fields(), subject_fields=template_field_names())


@pytest.fixture
def order(make_order, definition):
    return make_order(definition=definition)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


GOOD = {
    "key_number": "K-0302",
    "remark": "第二把钥匙",
    "quantity": "2",
    "fee": "12.5",
    "due": "2026-12-10",
    "stock": "in_stock",
    "consent": "on",
}


def scan():
    return {"scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 test", "application/pdf")}


def test_values_are_stored_as_json_in_the_orders_data(order, users):
    order = take_transition(order, "begin", users["agent"], GOOD, scan())
    assert order.data["key_number"] == "K-0302"
    assert order.data["quantity"] == 2
    assert order.data["fee"] == "12.50"
    assert order.data["due"] == "2026-12-10"
    assert order.data["stock"] == "in_stock"
    assert order.data["consent"] is True
    assert order.data["scan"]["name"] == "scan.pdf"
    order.refresh_from_db()
    assert order.data["fee"] == "12.50"


@pytest.mark.parametrize(
    "field,value",
    [
        ("quantity", "two"),
        ("fee", "-1"),
        ("fee", "12.345"),
        ("due", "2026-13-40"),
        ("stock", "maybe"),
        ("key_number", "x" * 501),
        ("consent", ""),
    ],
)
def test_malformed_values_are_refused_and_nothing_is_written(order, users, field, value):
    data = {**GOOD, field: value}
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "begin", users["agent"], data, scan())
    assert field in refused.value.field_errors
    order.refresh_from_db()
    assert order.state.code == "new"
    assert order.data == {}


def test_required_fields_are_required(order, users):
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "begin", users["agent"], {})
    assert set(refused.value.field_errors) == {f["name"] for f in FIELDS}


def test_a_choice_field_branches_the_process(order, users):
    order = take_transition(order, "begin", users["agent"], {**GOOD, "stock": "none"}, scan())
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "finish", users["agent"], {})
    assert refused.value.message == "无货时不能完成。"


def test_the_form_shows_labels_in_the_readers_language(order, users, settings):
    from django.utils import translation

    form = transition_form(order, order.process.transitions.get(code="begin"), users["agent"])
    assert form.fields["key_number"].label == "钥匙编号"
    with translation.override("en"):
        form = transition_form(order, order.process.transitions.get(code="begin"), users["agent"])
        assert form.fields["key_number"].label == "Key number"
        assert ("in_stock", "In stock") in form.fields["stock"].choices


def test_the_timeline_labels_custom_fields_and_their_values(order, users, client):
    take_transition(order, "begin", users["agent"], GOOD, scan())
    event = events_for(order).get(verb="transition.begin")
    assert event.after["key_number"] == "K-0302"
    client.force_login(users["agent"])
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "钥匙编号" in page
    assert "Key_number" not in page and "key_number</" not in page
    assert "有货" in page


def test_an_uploaded_file_is_downloaded_by_those_who_see_the_order(order, users, client):
    take_transition(order, "begin", users["agent"], GOOD, scan())
    client.force_login(users["agent"])
    response = client.get(f"/orders/{order.pk}/files/scan/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(f"/orders/{order.pk}/files/key_number/").status_code == 404
    client.force_login(users["agent_west"])
    assert client.get(f"/orders/{order.pk}/files/scan/").status_code == 404


def test_running_orders_keep_the_fields_of_their_version(order, users):
    newer = spec_with_fields(required=False)
    newer["custom_fields"] = [f for f in FIELDS if f["name"] != "key_number"]
    newer["transitions"][0]["fields"] = [{"name": "remark", "required": True}]
    load_definition(newer, subject_fields=template_field_names())
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "begin", users["agent"], {"remark": "x"})
    assert "key_number" in refused.value.field_errors


@pytest.mark.parametrize(
    "fields,message",
    [
        ([{"name": "a b", "label": "x", "type": "text"}], "letters, digits"),
        ([{"name": "a", "label": "x", "type": "colour"}], "unknown type"),
        ([{"name": "a", "type": "text"}], "needs a label"),
        ([{"name": "a", "label": "x", "type": "choice"}], "list of choices"),
        (
            [
                {"name": "a", "label": "x", "type": "text"},
                {"name": "a", "label": "y", "type": "text"},
            ],
            "declared twice",
        ),
        ([{"name": "result", "label": "x", "type": "text"}], "built-in field"),
    ],
)
def test_badly_declared_fields_are_refused(fields, message):
    from django.utils import translation

    spec = simple_spec()
    spec["custom_fields"] = fields
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_spec(spec, subject_fields=template_field_names())
    assert any(message in m for m in refused.value.messages)


def test_a_transition_asking_for_an_unknown_field_is_refused():
    from django.utils import translation

    spec = simple_spec()
    spec["transitions"][0]["fields"] = [{"name": "colour", "required": True}]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_spec(spec, subject_fields=template_field_names())
    assert "unknown field “colour”" in " ".join(refused.value.messages)


def test_bad_printed_forms_and_department_functions_are_refused():
    from django.utils import translation

    spec = simple_spec()
    spec["forms"] = [{"code": "sheet", "title": "表", "states": ["nowhere"], "fields": ["colour"]}]
    spec["transitions"][0]["departments"] = ["kitchen"]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_spec(spec, subject_fields=template_field_names())
    text = " ".join(refused.value.messages)
    assert "unknown state “nowhere”" in text
    assert "unknown field “colour”" in text
    assert "unknown department function “kitchen”" in text


def test_department_staff_of_another_function_may_not_take_a_restricted_action(
    make_order, users, depts
):
    spec = simple_spec()
    spec["transitions"][0]["roles"] = ["handler", "agent"]
    spec["transitions"][0]["departments"] = ["finance"]
    order = make_order(definition=load_definition(spec))
    order.department = depts["east_eng"]
    order.save()
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "begin", users["handler"], {})
    assert refused.value.code == "forbidden"
    # Center staff are governed by their role alone.
    assert take_transition(order, "begin", users["agent"], {}).state.code == "doing"
