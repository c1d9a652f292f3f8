from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.callbacks import services, supervision
from kefu.callbacks.models import CallbackTask

MORNING = timezone.make_aware(datetime(2026, 12, 3, 10))


@pytest.fixture
def clock(monkeypatch):
    """Stops the clock at a given local time for the views and services."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def assigned(make_task, users):
    task = make_task()
    return services.reassign(task, user=users["supervisor"], agent=users["callback"])


def test_agent_list_and_result(login, assigned, users, clock):
    client = login(users["callback"])
    clock(MORNING)
    page = client.get(reverse("callbacks:my_list"))
    assert assigned.number in page.content.decode()
    detail = client.get(reverse("callbacks:task", args=[assigned.pk]))
    assert "感谢您对我们公司的支持" in detail.content.decode()  # the script
    bad = client.post(reverse("callbacks:task", args=[assigned.pk]), {"reached": "1"})
    assert bad.status_code == 400
    done = client.post(
        reverse("callbacks:task", args=[assigned.pk]),
        {"reached": "1", "satisfaction": "satisfied", "content": "一切正常"},
    )
    assert done.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == CallbackTask.Status.DONE


def test_quiet_hours_shown_in_the_list(login, assigned, users, clock):
    client = login(users["callback"])
    clock(timezone.make_aware(datetime(2026, 12, 3, 12, 30)))
    page = client.get(reverse("callbacks:my_list")).content.decode()
    assert assigned.number in page
    assert reverse("callbacks:task", args=[assigned.pk]) not in page


def test_tasks_of_other_units_are_hidden(login, assigned, users):
    assert (
        login(users["agent_west"]).get(reverse("callbacks:task", args=[assigned.pk])).status_code
        == 404
    )


def test_supervisor_board_distributes_and_collects(login, make_task, users, org):
    for _ in range(3):
        make_task()
    client = login(users["supervisor"])
    assert client.get(reverse("callbacks:board")).status_code == 200
    response = client.post(
        reverse("callbacks:board"),
        {"action": "distribute", "unit": org["east"].pk, "agents": [users["callback"].pk]},
    )
    assert response.status_code == 302
    assert CallbackTask.objects.filter(assignee=users["callback"]).count() == 3
    client.post(
        reverse("callbacks:board"),
        {"action": "collect", "unit": org["east"].pk, "agent": users["callback"].pk},
    )
    assert not CallbackTask.objects.filter(assignee__isnull=False).exists()


def test_supervision_pages_refuse_agents(login, users):
    client = login(users["callback"])
    for name in ("board", "spot_checks", "scores", "evaluation", "letters"):
        assert client.get(reverse(f"callbacks:{name}")).status_code == 403


def test_supervision_pages_render(login, assigned, users, org):
    services.record_result(
        assigned, user=users["callback"], content="好", satisfaction="satisfied", now=MORNING
    )
    client = login(users["supervisor"])
    month = "?month=2026-12"
    response = client.post(reverse("callbacks:spot_checks") + month, {"count": "1"})
    assert response.status_code == 302
    (check,) = supervision.SpotCheck.objects.all()
    client.post(reverse("callbacks:spot_check_record", args=[check.pk]), {"outcome": "confirmed"})
    check.refresh_from_db()
    assert check.outcome == "confirmed"
    for name in ("spot_checks", "scores", "evaluation", "letters"):
        assert client.get(reverse(f"callbacks:{name}") + month).status_code == 200
    xlsx = client.get(reverse("callbacks:scores") + month + "&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
