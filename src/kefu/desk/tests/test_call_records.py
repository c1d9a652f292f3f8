"""话单: the call records page, its filters, scope and Excel export."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kefu.factories import UserFactory
from kefu.telephony import cti
from kefu.telephony.models import Call
from kefu.telephony.tests.factories import PbxFactory

from .test_desk import logged_in

pytestmark = pytest.mark.django_db


def post(pbx, kind, call_id, at, **fields):
    return cti.receive(
        pbx, cti.parse_event({"event": kind, "call_id": call_id, "at": at.isoformat(), **fields})
    )


@pytest.fixture
def calls(pbx, queue, ready_agents, customer, org):
    """Today: an answered call from the customer (held 20 s) and an abandoned
    one; yesterday: one more; and a call of the west unit's PBX."""
    now = timezone.now().replace(microsecond=0)
    start = max(now - timedelta(minutes=10), timezone.localtime(now).replace(hour=0, minute=1))
    agent = ready_agents[0]
    post(pbx, "offered", "c1", start, caller="13812345678", called="4008001234", queue="service")
    post(pbx, "answered", "c1", start + timedelta(seconds=8), agent=agent.username)
    post(pbx, "held", "c1", start + timedelta(seconds=30))
    post(pbx, "unheld", "c1", start + timedelta(seconds=50))
    post(pbx, "ended", "c1", start + timedelta(seconds=128), cause="normal")
    post(pbx, "offered", "c2", start, caller="021-55556666", called="4008001234", queue="service")
    post(pbx, "ended", "c2", start + timedelta(seconds=40), cause="cancel")
    post(pbx, "offered", "c3", now - timedelta(days=1), caller="13900001111", queue="service")
    west = PbxFactory(unit=org["west"], token="west-pbx-token-0001")
    post(west, "offered", "w1", start, caller="13700002222")
    return {call.call_id: call for call in Call.objects.all()}


def test_supervisor_sees_todays_calls_of_the_unit_with_numbers_masked(users, calls):
    page = logged_in(users["supervisor"]).get("/desk/calls/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "138****5678" in text and "13812345678" not in text
    assert "021****6666" in text
    assert "张伟" in text  # the caller's customer file
    assert "137****2222" not in text  # the west unit's call
    assert "139****1111" not in text  # yesterday's
    assert "20 s" in text  # hold


def test_filters_narrow_the_list(users, calls):
    client = logged_in(users["supervisor"])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    both_days = client.get("/desk/calls/", {"date_from": yesterday, "date_to": today})
    assert "139****1111" in both_days.content.decode()
    abandoned = client.get("/desk/calls/", {"date_to": today, "disposition": "abandoned"})
    assert "021****6666" in abandoned.content.decode()
    assert "138****5678" not in abandoned.content.decode()
    # A number found however it is typed.
    for typed in ("021 5555 6666", "+86 21 5555 6666", "55556666"):
        found = client.get("/desk/calls/", {"date_to": today, "number": typed})
        assert "021****6666" in found.content.decode(), typed
        assert "138****5678" not in found.content.decode()


def test_malformed_filters_are_explained(users, calls):
    client = logged_in(users["supervisor"])
    bad = client.get("/desk/calls/", {"date_from": "2026-13-01", "queue": "junk"})
    assert bad.status_code == 200
    assert bad.context["form"].errors.keys() == {"date_from", "queue"}
    assert not bad.context["page"].items
    backwards = client.get("/desk/calls/", {"date_from": "2026-12-05", "date_to": "2026-12-01"})
    assert "date_to" in backwards.context["form"].errors
    assert client.get("/desk/calls/", {"date_to": "2026-12-01", "export": "xlsx"}).status_code == (
        200
    )


def test_agents_see_only_their_own_calls_and_cannot_export(users, calls, ready_agents, org):
    other = ready_agents[1]
    page = logged_in(other).get("/desk/calls/").content.decode()
    assert "138****5678" not in page  # taken by the first agent
    assert "agent" not in logged_in(other).get("/desk/calls/").context["form"].fields
    mine = logged_in(ready_agents[0]).get("/desk/calls/").content.decode()
    assert "138****5678" in mine
    export = logged_in(ready_agents[0]).get("/desk/calls/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("text/html")
    west = UserFactory(username="sup_west", role="supervisor", unit=org["west"])
    assert "138****5678" not in logged_in(west).get("/desk/calls/").content.decode()
    assert logged_in(users["handler"]).get("/desk/calls/").status_code == 403


def test_export_has_every_duration(users, calls):
    response = logged_in(users["supervisor"]).get("/desk/calls/", {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    header = rows[0]
    answered = next(r for r in rows[1:] if r[header.index("来电方")] == "138****5678")
    assert answered[header.index("等待（秒）")] == 8
    assert answered[header.index("保持（秒）")] == 20
    assert answered[header.index("通话（秒）")] == 100
    assert answered[header.index("客户")] == "张伟"
    assert len(rows) == 3  # header and today's two calls of the unit


def test_call_conduct_counts_long_holds_and_agent_hangups(users, calls, ready_agents, org):
    Call.objects.filter(call_id="c1").update(longest_hold_seconds=75, hung_up_by="agent")
    client = logged_in(users["supervisor"])
    page = client.get("/desk/conduct/")
    (row,) = page.context["rows"]
    assert (row.agent, row.answered, row.long_holds) == (ready_agents[0], 1, 1)
    assert (row.hangups_known, row.agent_hung_up) == (1, 1)
    # The figures open the calls behind them.
    listed = client.get("/desk/calls/", {"conduct": "long_hold", "agent": ready_agents[0].pk})
    assert "138****5678" in listed.content.decode()
    assert "坐席先挂机" in listed.content.decode()
    Call.objects.filter(call_id="c1").update(longest_hold_seconds=60, hung_up_by="customer")
    (row,) = client.get("/desk/conduct/").context["rows"]
    assert (row.long_holds, row.hangups_known, row.agent_hung_up) == (0, 1, 0)
    assert not client.get("/desk/calls/", {"conduct": "long_hold"}).context["page"].items

    bad = client.get("/desk/conduct/", {"date_from": "junk", "queue": "nonsense"})
    assert bad.status_code == 200 and bad.context["rows"] == []
    assert bad.context["form"].errors.keys() == {"date_from", "queue"}
    assert client.get("/desk/calls/", {"conduct": "nonsense"}).context["form"].errors
    west = UserFactory(username="sup_west2", role="supervisor", unit=org["west"])
    assert logged_in(west).get("/desk/conduct/").context["rows"] == []
    assert logged_in(ready_agents[0]).get("/desk/conduct/").status_code == 403
