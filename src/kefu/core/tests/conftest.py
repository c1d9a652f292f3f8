import threading
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from kefu.core.models import NumberSequence


@pytest.fixture
def thread_database(transactional_db, tmp_path):
    """A context manager that gives the calling thread its own connection to
    a database every thread shares, for tests of concurrent transactions.

    PostgreSQL: the test database itself. SQLite: the test database lives in
    memory, where threads would contend on table locks that the production
    file database never sees, so threads use a file database with the
    production connection options (WAL, IMMEDIATE transactions, busy
    timeout) holding the tables the test needs."""
    default = connections[DEFAULT_DB_ALIAS]
    if default.vendor == "sqlite" and default.is_in_memory_db():
        settings_dict = {**default.settings_dict, "NAME": str(tmp_path / "threads.sqlite3")}

        def connect():
            return type(default)(settings_dict, alias=DEFAULT_DB_ALIAS)

        setup = connect()
        with setup.schema_editor() as editor:
            editor.create_model(NumberSequence)
        setup.close()
    else:
        connect = None

    @contextmanager
    def use():
        previous = connections[DEFAULT_DB_ALIAS]
        conn = connect() if connect else previous
        connections[DEFAULT_DB_ALIAS] = conn
        try:
            yield
        finally:
            connections[DEFAULT_DB_ALIAS] = previous
            # Worker threads close their connection so that PostgreSQL can
            # drop the test database; the test's own one stays for teardown.
            if conn is not previous or threading.current_thread() is not threading.main_thread():
                conn.close()

    return use
