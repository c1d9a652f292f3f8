"""Property-based test of the whole API from its own OpenAPI schema
(schemathesis): generated valid and invalid requests to every operation, as
a seeded supervisor, must never make the server fail, and every answer must
match what the schema documents."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from kefu.factories import CustomerFactory, PhoneFactory
from kefu.processes.engine import take_transition
from kefu.workorders import services

MAX_EXAMPLES = 20


@pytest.fixture
def seeded(users, org, depts, customer, order_types, settings, tmp_path):
    """A small world for generated requests to find: orders in several
    states, with a note and a charge; uploads go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path)
    supervisor = users["supervisor"]
    PhoneFactory(customer=CustomerFactory(unit=org["east"], segment="key"), number="+8613900001111")
    for title, order_type in (("厨房水管漏水", "repair"), ("物业费标准", "inquiry")):
        order = services.register_order(
            user=supervisor,
            unit=org["east"],
            order_type=order_types[order_type],
            title=title,
            customer=customer,
        )
    take_transition(order, "dispatch", supervisor, {"department": depts["east_eng"].pk})
    services.add_note(order, user=supervisor, body="业主下午在家")
    services.add_charge(order, user=supervisor, item="上门费", amount=30)
    return supervisor


@pytest.fixture
def persistent_connection():
    """Keep the test's database connection across requests, as Django's test
    client does: the WSGI handler closes it at the end of each request,
    which would end the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Generating the schema needs no database, so it is loaded when the module is
# collected; each operation then runs as its own test on a fresh ``seeded``.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails(case, seeded, persistent_connection):
    token, _ = Token.objects.get_or_create(user=seeded)
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}", "Accept-Language": "zh-hans"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
