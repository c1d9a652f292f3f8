from django.db import connection

from kefu.core.tasks import refresh_planner_statistics


def test_planner_statistics_are_refreshed(db):
    refresh_planner_statistics()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'processes_state'")
            assert cursor.fetchone()[0] > 0
