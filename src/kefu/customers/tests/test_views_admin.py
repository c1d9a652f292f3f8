"""The Django admin of operations support (core, customers, contacts, work-order
configuration, process definitions)."""

import pytest
from django.urls import reverse

from kefu.contacts.services import register_contact
from kefu.core.models import AccessLog, TimelineEvent
from kefu.core.roles import Role
from kefu.customers import services
from kefu.factories import UserFactory
from kefu.processes.models import ProcessDefinition, State
from kefu.workorders.models import Category, WorkOrderType
from kefu.workorders.services import register_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(org):
    return UserFactory(
        username="ops", role=Role.ADMIN, unit=org["hq"], is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_client(client, ops):
    client.force_login(ops)
    return client


def test_admin_needs_staff(client, users):
    client.force_login(users["agent"])
    assert client.get(reverse("admin:index")).status_code == 302


def test_every_changelist_and_add_page_renders(admin_client, users, customer, order_types, org):
    register_contact(
        user=users["agent"], unit=org["east"], channel="phone", content="咨询", customer=customer
    )
    for model in (
        "core/orgunit",
        "core/department",
        "core/user",
        "core/accesslog",
        "core/timelineevent",
        "customers/customer",
        "customers/tag",
        "contacts/contact",
        "workorders/workordertype",
        "workorders/category",
        "processes/processdefinition",
    ):
        response = admin_client.get(f"/admin/{model}/")
        assert response.status_code == 200, model
    for model in (
        "core/orgunit",
        "core/department",
        "core/user",
        "customers/tag",
        "workorders/workordertype",
        "processes/processdefinition",
    ):
        assert admin_client.get(f"/admin/{model}/add/").status_code == 200, model


def test_user_admin_shows_service_center_fields(admin_client, users):
    html = admin_client.get(
        reverse("admin:core_user_change", args=[users["agent"].pk])
    ).content.decode()
    for name in ("role", "agent_no", "unit", "department"):
        assert f'name="{name}"' in html


def test_logs_are_read_only(admin_client, users, customer):
    services.reveal_phone(customer.phones.get(), user=users["agent"])
    log = AccessLog.objects.get()
    assert admin_client.get(reverse("admin:core_accesslog_add")).status_code == 403
    response = admin_client.get(reverse("admin:core_accesslog_change", args=[log.pk]))
    assert (
        response.status_code == 200
        and 'type="submit" value="保存"' not in response.content.decode()
    )
    assert (
        admin_client.post(reverse("admin:core_accesslog_delete", args=[log.pk])).status_code == 403
    )
    event = TimelineEvent.objects.create(
        content_type_id=log.content_type_id, object_id=customer.pk, verb="customer.updated"
    )
    assert (
        admin_client.post(
            reverse("admin:core_timelineevent_change", args=[event.pk]), {}
        ).status_code
        == 403
    )


def test_customer_page_shows_masked_numbers_and_who_viewed_them(admin_client, users, customer):
    services.reveal_phone(customer.phones.get(), user=users["agent"], ip_address="10.0.0.8")
    html = admin_client.get(
        reverse("admin:customers_customer_change", args=[customer.pk])
    ).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "agent_east" in html or users["agent"].display_name in html
    assert "10.0.0.8" in html


def test_customer_search_by_phone_in_any_form(admin_client, customer, org):
    response = admin_client.get(
        reverse("admin:customers_customer_changelist"), {"q": "138-1234-5678"}
    )
    assert list(response.context["cl"].result_list) == [customer]


def test_order_types_and_categories_are_editable(admin_client, order_types):
    repair = order_types["repair"]
    response = admin_client.post(
        reverse("admin:workorders_category_add"),
        {
            "order_type": repair.pk,
            "name": "水电维修",
            "position": 1,
        },
    )
    assert response.status_code == 302
    assert Category.objects.filter(order_type=repair, name="水电维修").exists()
    assert WorkOrderType.objects.filter(code="repair").exists()


def test_process_definition_in_use_is_read_only(admin_client, users, org, order_types):
    definition = ProcessDefinition.objects.get(code="closed_loop")
    url = reverse("admin:processes_processdefinition_change", args=[definition.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="states-0-code"' in html  # nobody runs on it yet: editable
    register_order(
        user=users["agent"], unit=org["east"], order_type=order_types["repair"], title="漏水"
    )
    response = admin_client.get(url)
    html = response.content.decode()
    assert 'name="states-0-code"' not in html and 'name="name"' not in html
    states = State.objects.filter(definition=definition).count()
    assert (
        admin_client.post(
            reverse("admin:processes_processdefinition_delete", args=[definition.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert State.objects.filter(definition=definition).count() == states
