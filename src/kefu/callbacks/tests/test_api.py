from datetime import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from kefu.callbacks import services


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_is_scoped_and_result_recorded(make_task, users, monkeypatch):
    task = services.reassign(make_task(), user=users["supervisor"], agent=users["callback"])
    mine = api(users["callback"]).get("/api/callbacks/", {"mine": "true"}).json()
    assert [row["number"] for row in mine["results"]] == [task.number]
    assert api(users["agent_west"]).get("/api/callbacks/").json()["results"] == []
    assert api(users["agent_west"]).get(f"/api/callbacks/{task.pk}/").status_code == 404
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(datetime(2026, 12, 3, 10)))
    client = api(users["callback"])
    bad = client.post(f"/api/callbacks/{task.pk}/result/", {"satisfaction": "great"})
    assert bad.status_code == 400
    done = client.post(
        f"/api/callbacks/{task.pk}/result/", {"content": "正常", "satisfaction": "satisfied"}
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(
        f"/api/callbacks/{task.pk}/result/", {"content": "正常", "satisfaction": "satisfied"}
    )
    assert again.status_code == 400
