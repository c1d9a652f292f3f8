"""The database I/O of the CTI events and the routing decision, in plain
SQL: a PBX sends many events a second, and the ORM's compilation of each
statement cost more than the statement itself (see docs/benchmarks.md).

Only reading and writing rows lives here; what an event means is decided in
``cti``, ``agents`` and ``acd``. Rows are read locked (``FOR UPDATE`` where
the database has it) and written back with the columns that changed."""

import threading
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from kefu.core.models import TimelineEvent
from kefu.core.sql import Table, execute, for_update, quote
from kefu.telephony.models import (
    AgentState,
    AgentStateLog,
    AgentStatus,
    Call,
    CallEvent,
    QueueMember,
)

CALLS = Table(Call)
STATES = Table(AgentState)
# What the call events and their listeners read of an agent; the rest is
# loaded by the ORM if touched.
USERS = Table(
    get_user_model(),
    fields=["id", "username", "first_name", "last_name", "agent_no", "role", "unit_id", "phone"],
)
EVENTS = Table(CallEvent)
HOLDS = Table(CallEvent, fields=["id", "kind", "occurred_at"])
STATE_LOG = Table(AgentStateLog)
TIMELINE = Table(TimelineEvent)
# Written into the SQL, not bound, so that the planners match the partial
# indexes on waiting calls and ready agents.
WAITING = f"('{Call.Status.OFFERED}', '{Call.Status.QUEUED}')"


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _call_with_agent(row):
    call = CALLS.load(row[: len(CALLS)])
    agent = USERS.load(row[len(CALLS) :])
    if agent is not None:
        call.agent = agent
    return call


def locked_call(pbx, call_id):
    """The PBX's call and its agent, the call locked; ``None`` if unknown."""
    sql = (
        f"SELECT {CALLS.columns('c')}, {USERS.columns('u')} FROM {CALLS.name} c"
        f" LEFT JOIN {USERS.name} u ON u.id = c.agent_id"
        " WHERE c.pbx_id = %s AND c.call_id = %s" + for_update("c")
    )
    rows = _rows(sql, [pbx.pk, call_id])
    if not rows:
        return None
    call = _call_with_agent(rows[0])
    call.pbx = pbx
    return call


def create_call(**values):
    return CALLS.create(**values)


def save_call(call):
    CALLS.save(call)


def add_event(pbx, call, event) -> bool:
    """Store an event; ``False`` when one with its key is stored already."""
    stored = EVENTS.insert(
        {
            "pbx_id": pbx.pk,
            "key": event.key,
            "call_id": call.pk,
            "kind": event.kind,
            "occurred_at": event.at,
            "payload": event.payload,
        },
        on_conflict=("pbx_id", "key"),
    )
    return stored is not None


def call_of_event(pbx, key):
    """The PBX's call id of the stored event with this key."""
    rows = _rows(
        f"SELECT c.call_id FROM {EVENTS.name} e JOIN {CALLS.name} c ON c.id = e.call_id"
        " WHERE e.pbx_id = %s AND e.key = %s",
        [pbx.pk, key],
    )
    return rows[0][0] if rows else None


def hold_events(call):
    """The call's held and unheld events as (kind, time), in time order."""
    rows = _rows(
        f"SELECT {HOLDS.columns('e')} FROM {EVENTS.name} e"
        " WHERE e.call_id = %s AND e.kind IN ('held', 'unheld') ORDER BY e.occurred_at, e.id",
        [call.pk],
    )
    return [(event.kind, event.occurred_at) for event in map(HOLDS.load, rows)]


def _state_with_agent(row):
    state = STATES.load(row[: len(STATES)])
    agent = USERS.load(row[len(STATES) :])
    # The agent read with its locked state (a fresh object, of this
    # transaction): ``locked_state`` answers it without reading again.
    agent._locked_state = state
    state.agent = agent
    return state


def _states(where, params, *, order="s.id", limit=None, join="", skip_locked=False):
    sql = (
        f"SELECT {STATES.columns('s')}, {USERS.columns('u')} FROM {STATES.name} s"
        f" JOIN {USERS.name} u ON u.id = s.agent_id{join} WHERE {where} ORDER BY {order}"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    sql += for_update("s", skip_locked=skip_locked)
    return [_state_with_agent(row) for row in _rows(sql, params)]


def state_by_extension(extension):
    """The locked state of the agent at this extension, with the agent."""
    found = _states("s.extension = %s", [extension], limit=1)
    return found[0] if found else None


def locked_state(agent):
    known = getattr(agent, "_locked_state", None)
    if known is not None:
        return known
    found = _states("s.agent_id = %s", [agent.pk])
    if not found:
        return None
    state = found[0]
    state.agent = agent
    return state


def save_state(state):
    STATES.save(state)


def close_state_log(agent_id, at):
    execute(
        f"UPDATE {STATE_LOG.name} SET ended_at = %s WHERE agent_id = %s AND ended_at IS NULL",
        [STATE_LOG.prepared("ended_at", at), agent_id],
    )


def open_state_log(agent_id, status, reason, at):
    STATE_LOG.insert({"agent_id": agent_id, "status": status, "reason": reason, "started_at": at})


def end_wrapups(agent_id, at):
    """Close the wrap-up time of the agent's ended calls still open."""
    execute(
        f"UPDATE {CALLS.name} SET wrapup_ended_at = %s WHERE agent_id = %s"
        " AND answered_at IS NOT NULL AND ended_at IS NOT NULL AND wrapup_ended_at IS NULL",
        [CALLS.prepared("wrapup_ended_at", at), agent_id],
    )


_local = threading.local()


@contextmanager
def one_timeline_insert():
    """The timeline events recorded inside are written in one statement at
    the end (an event or a routing decision records two or three); nested,
    the outermost writes them. On an error nothing is written: the
    transaction is rolled back anyway."""
    if getattr(_local, "timeline", None) is not None:
        yield
        return
    _local.timeline = []
    try:
        yield
        pending = _local.timeline
    finally:
        _local.timeline = None
    TIMELINE.insert_many(pending)


def record(subject, verb, *, at, message="", before=None, after=None, customer_id=None, actor=None):
    """A timeline event, as ``kefu.core.timeline.record`` writes it."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    values = {
        "content_type_id": ContentType.objects.get_for_model(subject).pk,
        "object_id": subject.pk,
        "customer_id": customer_id,
        "actor_id": actor.pk if actor is not None else None,
        "at": at,
        "verb": verb,
        "message": message,
        "before": before or {},
        "after": after or {},
    }
    pending = getattr(_local, "timeline", None)
    if pending is None:
        TIMELINE.insert(values)
    else:
        pending.append(values)


def calls_ahead(call, queue, since) -> int:
    """Waiting calls of the queue offered since ``since`` that go before
    this one: of higher priority, or of the same priority and earlier."""
    offered_at = CALLS.prepared("offered_at", call.offered_at)
    sql = (
        f"SELECT COUNT(*) FROM {CALLS.name} c WHERE c.queue_id = %s AND c.status IN {WAITING}"
        " AND c.after_hours = %s AND c.offered_at >= %s AND c.id <> %s"
        " AND (c.priority > %s OR (c.priority = %s AND c.offered_at < %s))"
    )
    params = [queue.pk, False, CALLS.prepared("offered_at", since), call.pk]
    params += [call.priority, call.priority, offered_at]
    return _rows(sql, params)[0][0]


def longest_idle(queue, at):
    """The ready member of the queue with its skill level idle longest (the
    more skilled on a tie), locked; one another request holds is skipped.

    A member whose after-call work passed its limit by ``at`` counts as
    ready since that limit (the minute task has not released them yet).
    Ordering on that expression rather than on the indexed ``idle_since``
    also lets the planner start from the queue's few members instead of
    walking every ready agent of the center in idle order."""
    members = quote(QueueMember._meta.db_table)
    found = _states(
        f"(s.status = '{AgentStatus.READY}'"
        f" OR (s.status = '{AgentStatus.WRAP_UP}' AND s.wrapup_until <= %s))",
        [queue.pk, queue.min_skill_level, STATES.prepared("wrapup_until", at)],
        join=f" JOIN {members} m ON m.agent_id = s.agent_id AND m.queue_id = %s"
        " AND m.skill_level >= %s",
        order="COALESCE(s.idle_since, s.wrapup_until), m.skill_level DESC, s.id",
        limit=1,
        skip_locked=True,
    )
    return found[0] if found else None


def overdue_wrapups(now):
    return _states(
        f"s.status = '{AgentStatus.WRAP_UP}' AND s.wrapup_until <= %s",
        [STATES.prepared("wrapup_until", now)],
    )
