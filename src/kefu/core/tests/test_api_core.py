"""The API as a whole: token and session authentication, errors in the
user's language, the OpenAPI schema and its offline Swagger UI; and the core
endpoints (me, organisation units, departments)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kefu.api_tests import client_for
from kefu.core.roles import Role
from kefu.factories import UserFactory


@pytest.fixture
def anonymous():
    return APIClient()


# Authentication --------------------------------------------------------------


def test_token_for_username_and_password(anonymous, users):
    response = anonymous.post(
        "/api/token/", {"username": "agent_east", "password": "kefu-test-pass"}, format="json"
    )
    assert response.status_code == 200
    assert response.data == {"token": Token.objects.get(user=users["agent"]).key}
    me = APIClient(HTTP_AUTHORIZATION=f"Token {response.data['token']}").get("/api/me/")
    assert me.status_code == 200 and me.data["username"] == "agent_east"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "agent_east", "password": "wrong"}, "non_field_errors"),
        ({"username": "agent_east"}, "password"),
        ({}, "username"),
    ],
)
def test_token_refused(anonymous, users, body, field):
    response = anonymous.post("/api/token/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and field in response.data
    assert not Token.objects.exists()


def test_token_bad_credentials_message_in_chinese(anonymous, users):
    response = anonymous.post(
        "/api/token/", {"username": "agent_east", "password": "wrong"}, format="json"
    )
    assert response.data["non_field_errors"] == ["无法使用提供的认证信息登录。"]


@pytest.mark.parametrize(
    "url",
    ["/api/me/", "/api/customers/", "/api/contacts/", "/api/workorders/", "/api/departments/"],
)
def test_no_token_is_401(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 401 and response.data["detail"]


def test_bad_token_is_401(users):
    client = APIClient(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/workorders/")
    assert response.status_code == 401 and response.data["detail"] == "认证令牌无效。"
    assert APIClient(HTTP_AUTHORIZATION="Token").get("/api/me/").status_code == 401


def test_inactive_users_token_is_401(users):
    client = client_for(users["agent"])
    users["agent"].is_active = False
    users["agent"].save()
    assert client.get("/api/me/").status_code == 401


def test_session_authentication(users):
    client = APIClient()
    client.force_login(users["agent"])
    assert client.get("/api/me/").data["username"] == "agent_east"


# The user's language ----------------------------------------------------------------


def test_errors_in_the_users_language(users):
    zh = client_for(users["agent"], language="zh-hans").post("/api/workorders/", {}, format="json")
    en = client_for(users["agent"], language="en").post("/api/workorders/", {}, format="json")
    assert zh.data["title"] == ["该字段是必填项。"]
    assert en.data["title"] == ["This field is required."]
    assert zh["Content-Language"] == "zh-hans" and en["Content-Language"] == "en"


def test_chinese_without_accept_language(users):
    response = client_for(users["agent"], language=None).post("/api/workorders/", {}, format="json")
    assert response.data["title"] == ["该字段是必填项。"]


def test_domain_messages_in_the_users_language(users, customer):
    url = f"/api/customers/{customer.pk}/"
    zh = client_for(users["agent"], language="zh-hans").patch(
        url, {"phones": ["12"]}, format="json"
    )
    en = client_for(users["agent"], language="en").patch(url, {"phones": ["12"]}, format="json")
    assert zh.status_code == en.status_code == 400
    assert en.data["phones"] == ["“12” is not a possible phone number."]
    assert zh.data["phones"] != en.data["phones"]


# Schema and docs ------------------------------------------------------------------


def test_openapi_schema(anonymous):
    response = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/token/",
        "/api/me/",
        "/api/customers/lookup/",
        "/api/customers/{id}/phones/{phone_id}/reveal/",
        "/api/workorders/{id}/transitions/{code}/",
        "/api/workorders/by-number/{number}/",
        "/api/workorders/{id}/attachments/{attachment_id}/download/",
    ):
        assert path in paths
    assert paths["/api/token/"]["post"].get("security", [{}]) == [{}]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_swagger_ui_is_served_offline(anonymous):
    page = anonymous.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    bundle = anonymous.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


# Core endpoints -------------------------------------------------------------------


def test_me(users):
    data = client_for(users["handler"]).get("/api/me/").data
    assert data["role"] == Role.HANDLER and data["is_handler"] is True
    assert data["unit"]["code"] == "east" and data["department"]["name"] == "东区工程部"
    assert data["is_center_staff"] is False


def test_org_units_are_the_users_subtree(users):
    def codes(user):
        return [u["code"] for u in client_for(user).get("/api/org-units/").data["results"]]

    assert codes(users["agent"]) == ["east"]
    assert codes(users["manager"]) == ["hq", "east", "west"]
    no_unit = UserFactory(username="nobody", unit=None)
    assert codes(no_unit) == []
    west = users["agent_west"].unit
    assert client_for(users["agent"]).get(f"/api/org-units/{west.pk}/").status_code == 404


def test_departments_scoped(users, depts):
    def names(user, **params):
        response = client_for(user).get("/api/departments/", params)
        assert response.status_code == 200, response.data
        return {d["name"] for d in response.data["results"]}

    # Their own unit's, and the group-wide ones above it; not a sibling unit's.
    assert names(users["agent"]) == {"东区工程部", "财务部", "总装厂"}
    assert names(users["agent_west"]) == {"西区工程部", "财务部", "总装厂"}
    assert names(users["manager"]) == {"东区工程部", "西区工程部", "财务部", "总装厂"}
    assert names(users["agent"], function="finance") == {"财务部"}
    west_eng = depts["west_eng"].pk
    assert client_for(users["agent"]).get(f"/api/departments/{west_eng}/").status_code == 404


def test_reference_filters_malformed(users):
    client = client_for(users["agent"])
    assert client.get("/api/departments/", {"kind": "alien"}).status_code == 400
    assert client.get("/api/org-units/", {"parent": "abc"}).status_code == 400
    assert client.get("/api/departments/", {"is_active": "perhaps"}).status_code == 400


def test_unknown_and_foreign_ids_answer_alike(users, org):
    # An unknown unit and another unit's id both give an empty list: no 400
    # that would tell an id exists.
    client = client_for(users["agent"])
    for unit_id in (999999, org["west"].pk):
        response = client.get("/api/departments/", {"unit": unit_id})
        assert response.status_code == 200 and response.data["results"] == []


@pytest.fixture
def order(users, org, customer, order_types):
    from kefu.workorders.services import register_order

    return register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["repair"],
        title="厨房水管漏水",
        customer=customer,
    )


def test_invalid_json_on_every_write_endpoint(users, customer, order):
    from kefu.contacts.models import Contact
    from kefu.core.models import TimelineEvent
    from kefu.workorders.models import WorkOrder

    client = client_for(users["agent"])
    events = TimelineEvent.objects.count()
    writes = [
        ("POST", "/api/token/"),
        ("POST", "/api/customers/"),
        ("PATCH", f"/api/customers/{customer.pk}/"),
        ("POST", "/api/contacts/"),
        ("POST", "/api/workorders/"),
        ("PATCH", f"/api/workorders/{order.pk}/"),
        ("POST", f"/api/workorders/{order.pk}/transitions/dispatch/"),
        ("POST", f"/api/workorders/{order.pk}/notes/"),
        ("POST", f"/api/workorders/{order.pk}/charges/"),
    ]
    for method, url in writes:
        response = client.generic(method, url, '{"title": "x",', content_type="application/json")
        assert response.status_code == 400, (method, url)
        assert response.data["detail"].startswith("JSON"), response.data
    assert TimelineEvent.objects.count() == events
    assert WorkOrder.objects.count() == 1 and not Contact.objects.exists()
    assert not order.notes.exists() and not order.charges.exists()
