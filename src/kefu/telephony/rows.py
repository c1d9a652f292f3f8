"""The database I/O of the CTI events and the routing decision, in plain
SQL: a PBX sends many events a second, and the ORM's compilation of each
statement cost more than the statement itself (see docs/benchmarks.md).

Only reading and writing rows lives here; what an event means is decided in
``cti``, ``agents`` and ``acd``. Rows are read locked (``FOR UPDATE`` where
the database has it) and written back with the columns that changed.

An event, a routing decision or a batch of events is one unit of work
(``one_unit``, ``one_batch``): a row it reads is kept, so it is read once,
and what it writes is written at its end, a row once however often it
changed and new rows in one INSERT per table, all in one round trip on
PostgreSQL. A batch also reads all its calls, stored event keys, callers and
agent states up front, a statement each. Outside a unit (an agent's own
state change) rows are written at once."""

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from kefu.core.models import TimelineEvent
from kefu.core.sql import Statement, Table, execute, execute_all, for_update, quote
from kefu.customers.services import callers
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
WAITING = "({})".format(", ".join(f"'{status}'" for status in Call.WAITING))
EVENT_KEY = ("pbx_id", "key")


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


class _Unit:
    """What one unit of work has read and will write."""

    def __init__(self, pbx=None):
        self.pbx = pbx
        # A batch read everything its events need up front: what it did
        # not find does not exist.
        self.complete = False
        self.calls = {}  # PBX call id: Call, locked (None: read, and not found)
        self.new_calls = set()  # ids of the calls a batch made
        self.owners = {}  # event key: PBX call id, stored or applied (a batch)
        self.callers = {}  # number: customers.services.Caller or None (a batch)
        self.states = {}  # agent id: AgentState, locked
        self.extensions = {}  # extension: AgentState
        self.events = []  # CallEvent rows to insert (a batch)
        self.changed_calls = {}
        self.changed_states = {}
        self.state_log = defaultdict(list)  # agent id: closes and opens, in order
        self.timeline = []

    def keep_call(self, call):
        if self.calls.get(call.call_id) is None:
            self.calls[call.call_id] = call

    def keep_state(self, state):
        self.states.setdefault(state.agent_id, state)
        if state.extension:
            self.extensions.setdefault(state.extension, state)

    def read(self, events):
        """All a batch of ``events`` will read, up front."""
        self.complete = True
        for call in _locked_calls(self.pbx, sorted({event.call_id for event in events})):
            self.keep_call(call)
        # After the calls' locks: a batch that held them has committed its events.
        self.owners = _event_owners(self.pbx, keys=sorted({event.key for event in events}))
        self._create_calls(events)
        numbers = {
            event.caller if event.direction == Call.Direction.INBOUND else event.called
            for event in events
            if event.kind == "offered"
        }
        self.callers = callers(numbers - {""})
        references = sorted(
            {
                name
                for event in events
                for name in (event.agent, event.extension, event.target_agent)
                if name
            }
        )
        agent_ids = sorted({call.agent_id for call in self.calls.values() if call.agent_id})
        where = []
        if references:
            where.append(f"s.extension IN ({_placeholders(references)})")
        if agent_ids:
            where.append(f"s.agent_id IN ({_placeholders(agent_ids)})")
        if where:
            for state in _states(" OR ".join(where), [*references, *agent_ids]):
                self.keep_state(state)

    def _create_calls(self, events):
        """The calls the batch's events are the first of, in one INSERT,
        each as its first event creates it (``cti``); not those whose
        every event repeats another call's event id."""
        first = {}
        for event in events:
            if event.call_id in self.calls:
                continue
            if self.owners.get(event.key, event.call_id) == event.call_id:
                first.setdefault(event.call_id, event)
        made = CALLS.create_many(
            [
                {
                    "pbx_id": self.pbx.pk,
                    "call_id": event.call_id,
                    "unit_id": self.pbx.unit_id,
                    "offered_at": event.at,
                    "direction": event.direction,
                }
                for event in first.values()
            ],
            on_conflict=("pbx_id", "call_id"),
        )
        for call in made:
            call.pbx = self.pbx
            self.keep_call(call)
            self.new_calls.add(call.pk)
        raced = sorted(set(first) - set(self.calls))
        if raced:
            # Other requests made these calls a moment ago: wait for them,
            # and learn the events they stored.
            for call in _locked_calls(self.pbx, raced):
                self.keep_call(call)
            self.owners.update(_event_owners(self.pbx, call_ids=[self.calls[c].pk for c in raced]))

    def write(self):
        """Everything changed so far, in one round trip where the database
        allows; the unit goes on (a read that must see it, or its end)."""
        execute_all(
            [
                EVENTS.insert_many_statement(self.events, on_conflict=EVENT_KEY),
                CALLS.save_statement(self.changed_calls.values()),
                *self._state_log_statements(),
                STATES.save_statement(self.changed_states.values()),
                TIMELINE.insert_many_statement(self.timeline),
            ]
        )
        self.events, self.timeline = [], []
        self.changed_calls, self.changed_states = {}, {}
        self.state_log = defaultdict(list)

    def _state_log_statements(self):
        """The log rows the unit's moves opened, each closed by the next
        move; the row open before the unit closed by its first move."""
        closing = {}
        opened = []
        for agent_id, moves in self.state_log.items():
            mine = []
            for move in moves:
                if move[0] == "open":
                    _open, status, reason, at = move
                    mine.append(
                        {
                            "agent_id": agent_id,
                            "status": status,
                            "reason": reason,
                            "started_at": at,
                            "ended_at": None,
                        }
                    )
                elif mine and mine[-1]["ended_at"] is None:
                    mine[-1]["ended_at"] = move[1]
                elif not mine:
                    closing.setdefault(agent_id, move[1])
            opened += mine
        statements = []
        if closing:
            statements.append(_close_state_log_statement(closing))
        statements.append(STATE_LOG.insert_many_statement(opened))
        return statements


_local = threading.local()


def _unit():
    return getattr(_local, "unit", None)


@contextmanager
def one_unit():
    """Read rows once and write them at the end (the module's docstring);
    nested, the outermost unit writes. On an error nothing is written: the
    transaction is rolled back anyway."""
    if _unit() is not None:
        yield
        return
    with _running(_Unit()):
        yield


@contextmanager
def one_batch(pbx, events):
    """A unit for a batch of ``events`` (parsed, of ``pbx``), which reads
    all its rows up front."""
    unit = _Unit(pbx)
    unit.read(events)
    with _running(unit):
        yield


@contextmanager
def _running(unit):
    _local.unit = unit
    try:
        yield
    finally:
        _local.unit = None
    unit.write()


def _call_with_agent(row):
    call = CALLS.load(row[: len(CALLS)])
    agent = USERS.load(row[len(CALLS) :])
    if agent is not None:
        call.agent = agent
    return call


def _locked_calls(pbx, call_ids):
    sql = (
        f"SELECT {CALLS.columns('c')}, {USERS.columns('u')} FROM {CALLS.name} c"
        f" LEFT JOIN {USERS.name} u ON u.id = c.agent_id"
        f" WHERE c.pbx_id = %s AND c.call_id IN ({_placeholders(call_ids)}) ORDER BY c.id"
        + for_update("c")
    )
    calls = [_call_with_agent(row) for row in _rows(sql, [pbx.pk, *call_ids])]
    for call in calls:
        call.pbx = pbx
    return calls


def locked_call(pbx, call_id):
    """The PBX's call and its agent, the call locked; ``None`` if unknown."""
    unit = _unit()
    if unit is not None and (call_id in unit.calls or unit.complete):
        return unit.calls.get(call_id)
    found = _locked_calls(pbx, [call_id])
    call = found[0] if found else None
    if unit is not None:
        # A routing request for a new call asks twice: before and while
        # storing its offer.
        unit.calls[call_id] = call
    return call


def create_call(**values):
    call = CALLS.create(**values)
    unit = _unit()
    if unit is not None:
        unit.keep_call(call)
    return call


def caller(number):
    """The customer calling from ``number`` (``customers.services.caller``)."""
    unit = _unit()
    if unit is not None and number in unit.callers:
        return unit.callers[number]
    return callers([number])[number]


def save_call(call):
    unit = _unit()
    if unit is None:
        CALLS.save(call)
    else:
        unit.changed_calls[call.pk] = call


def known_owner(key):
    """In a batch, the call id of the event already stored or applied
    with this key; ``None`` elsewhere (storing the event tells there)."""
    unit = _unit()
    return unit.owners.get(key) if unit is not None else None


def add_event(pbx, call, event) -> bool:
    """Store an event; ``False`` when one with its key is stored already."""
    values = {
        "pbx_id": pbx.pk,
        "key": event.key,
        "call_id": call.pk,
        "kind": event.kind,
        "occurred_at": event.at,
        "payload": event.payload,
    }
    unit = _unit()
    if unit is None or not unit.complete:
        return EVENTS.insert(values, on_conflict=EVENT_KEY) is not None
    if event.key in unit.owners:
        return False
    unit.owners[event.key] = call.call_id
    unit.events.append(values)
    return True


def _event_owners(pbx, *, keys=(), call_ids=()):
    """{key: PBX call id} of the stored events with these keys, or of these calls."""
    where = (
        f"e.key IN ({_placeholders(keys)})" if keys else f"e.call_id IN ({_placeholders(call_ids)})"
    )
    rows = _rows(
        f"SELECT e.key, c.call_id FROM {EVENTS.name} e JOIN {CALLS.name} c ON c.id = e.call_id"
        f" WHERE e.pbx_id = %s AND {where}",
        [pbx.pk, *(keys or call_ids)],
    )
    return dict(rows)


def call_of_event(pbx, key):
    """The PBX's call id of the stored event with this key."""
    owner = known_owner(key)
    return owner if owner is not None else _event_owners(pbx, keys=[key]).get(key)


def hold_events(call):
    """The call's held and unheld events as (kind, time), in time order."""
    unit = _unit()
    found = []
    if unit is None or call.pk not in unit.new_calls:
        rows = _rows(
            f"SELECT {HOLDS.columns('e')} FROM {EVENTS.name} e WHERE e.call_id = %s"
            " AND e.kind IN ('held', 'unheld') ORDER BY e.occurred_at, e.id",
            [call.pk],
        )
        found = [(event.kind, event.occurred_at) for event in map(HOLDS.load, rows)]
    if unit is not None and unit.events:
        found += [
            (values["kind"], values["occurred_at"])
            for values in unit.events
            if values["call_id"] == call.pk and values["kind"] in ("held", "unheld")
        ]
        # Stable: of two at the same time, the one stored first goes first.
        found.sort(key=lambda held: held[1])
    return found


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
    unit = _unit()
    if unit is not None and (extension in unit.extensions or unit.complete):
        return unit.extensions.get(extension)
    found = _states("s.extension = %s", [extension], limit=1)
    if not found:
        return None
    if unit is not None:
        unit.keep_state(found[0])
    return found[0]


def locked_state(agent):
    known = getattr(agent, "_locked_state", None)
    if known is not None:
        return known
    unit = _unit()
    if unit is not None and agent.pk in unit.states:
        return unit.states[agent.pk]
    found = _states("s.agent_id = %s", [agent.pk])
    if not found:
        return None
    state = found[0]
    state.agent = agent
    if unit is not None:
        unit.keep_state(state)
    return state


def save_state(state):
    unit = _unit()
    if unit is None:
        STATES.save(state)
    else:
        unit.changed_states[state.pk] = state


def _close_state_log_statement(closing):
    """Close the open log row of each agent of ``{agent id: time}``."""
    cases = " ".join(["WHEN %s THEN %s"] * len(closing))
    params = []
    for agent_id, at in closing.items():
        params += [agent_id, STATE_LOG.prepared("ended_at", at)]
    return Statement(
        f"UPDATE {STATE_LOG.name} SET ended_at = CASE agent_id {cases} END"
        f" WHERE ended_at IS NULL AND agent_id IN ({_placeholders(closing)})",
        [*params, *closing],
    )


def close_state_log(agent_id, at):
    unit = _unit()
    if unit is None:
        execute_all([_close_state_log_statement({agent_id: at})])
    else:
        unit.state_log[agent_id].append(("close", at))


def open_state_log(agent_id, status, reason, at):
    unit = _unit()
    if unit is None:
        STATE_LOG.insert(
            {"agent_id": agent_id, "status": status, "reason": reason, "started_at": at}
        )
    else:
        unit.state_log[agent_id].append(("open", status, reason, at))


def end_wrapups(agent_id, at):
    """Close the wrap-up time of the agent's ended calls still open."""
    unit = _unit()
    if unit is not None:
        # The unit's own calls may have ended in memory only.
        for call in unit.calls.values():
            if (
                call is not None
                and call.agent_id == agent_id
                and call.answered_at
                and call.ended_at
                and call.wrapup_ended_at is None
            ):
                call.wrapup_ended_at = at
                unit.changed_calls[call.pk] = call
    execute(
        f"UPDATE {CALLS.name} SET wrapup_ended_at = %s WHERE agent_id = %s"
        " AND answered_at IS NOT NULL AND ended_at IS NOT NULL AND wrapup_ended_at IS NULL",
        [CALLS.prepared("wrapup_ended_at", at), agent_id],
    )


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
    unit = _unit()
    if unit is None:
        TIMELINE.insert(values)
    else:
        unit.timeline.append(values)


def _ahead(call, queue, since):
    """The condition and parameters of the waiting calls of the queue
    offered since ``since`` that go before this one: of higher priority, or
    of the same priority and earlier."""
    sql = (
        f"c.queue_id = %s AND c.status IN {WAITING} AND c.after_hours = %s"
        " AND c.offered_at >= %s AND c.id <> %s"
        " AND (c.priority > %s OR (c.priority = %s AND c.offered_at < %s))"
    )
    offered_at = CALLS.prepared("offered_at", call.offered_at)
    params = [queue.pk, False, CALLS.prepared("offered_at", since), call.pk]
    return sql, params + [call.priority, call.priority, offered_at]


def calls_ahead(call, queue, since) -> int:
    """How many waiting calls go before this one (``_ahead``)."""
    where, params = _ahead(call, queue, since)
    return _rows(f"SELECT COUNT(*) FROM {CALLS.name} c WHERE {where}", params)[0][0]


def longest_idle(queue, at, call, since):
    """The ready member of the queue with its skill level idle longest (the
    more skilled on a tie), locked; one another request holds is skipped.
    None while calls offered since ``since`` go before ``call``
    (``_ahead``): the common case, a free agent and no queue, is then one
    statement.

    A member whose after-call work passed its limit by ``at`` counts as
    ready since that limit (the minute task has not released them yet).
    Ordering on that expression rather than on the indexed ``idle_since``
    also lets the planner start from the queue's few members instead of
    walking every ready agent of the center in idle order."""
    unit = _unit()
    if unit is not None and unit.changed_states:
        # An agent this unit just set not ready must not be picked.
        unit.write()
    members = quote(QueueMember._meta.db_table)
    ahead, ahead_params = _ahead(call, queue, since)
    where = (
        f"(s.status = '{AgentStatus.READY}'"
        f" OR (s.status = '{AgentStatus.WRAP_UP}' AND s.wrapup_until <= %s))"
        f" AND NOT EXISTS (SELECT 1 FROM {CALLS.name} c WHERE {ahead})"
    )
    params = [queue.pk, queue.min_skill_level, STATES.prepared("wrapup_until", at)]
    found = _states(
        where,
        params + ahead_params,
        join=f" JOIN {members} m ON m.agent_id = s.agent_id AND m.queue_id = %s"
        " AND m.skill_level >= %s",
        order="COALESCE(s.idle_since, s.wrapup_until), m.skill_level DESC, s.id",
        limit=1,
        skip_locked=True,
    )
    if not found:
        return None
    if unit is not None:
        # The unit's own copy, if it read this agent already.
        unit.keep_state(found[0])
        return unit.states[found[0].agent_id]
    return found[0]


def overdue_wrapups(now):
    return _states(
        f"s.status = '{AgentStatus.WRAP_UP}' AND s.wrapup_until <= %s",
        [STATES.prepared("wrapup_until", now)],
    )
