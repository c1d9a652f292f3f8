"""Writing order histories in bulk, for the share of the demo (and the
benchmark) that is too large to walk through the engine one query at a
time: the same plan of steps is applied in memory with the process
definition's own field specs and effects, and the rows the services would
write (order, contacts, notes, charges, timeline events) are inserted in
batches. ``tests/test_replay.py`` checks that a replayed order equals the
same plan walked through the real services.

Listeners of the engine's signals do not run for replayed orders (they have
no SLA clocks, for example)."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext as _

from kefu.contacts.models import Contact
from kefu.core.models import TimelineEvent
from kefu.core.numbering import next_number

# The engine's own snapshot of a subject, so replayed events match walked ones.
from kefu.processes.engine import _jsonable, _snapshot
from kefu.processes.models import Transition
from kefu.workorders.models import Charge, Note, WorkOrder
from kefu.workorders.services import NUMBER_PREFIX, active_process


class _Pending:
    def __init__(self):
        self.order = None
        self.contacts = []
        self.notes = []
        self.charges = []
        self.events = []  # (subject, TimelineEvent without object_id)
        self.saved_at = None  # when the services last saved the order


class Replay:
    def __init__(self, clock, *, batch=500):
        self.clock = clock
        self.batch = batch
        self.pending = []
        self.processes = {}
        self.transitions = {}
        self.ct_order = ContentType.objects.get_for_model(WorkOrder)
        self.ct_contact = ContentType.objects.get_for_model(Contact)

    def _process(self, order_type):
        """(process, its start state) of ``order_type``, read once."""
        if order_type.pk not in self.processes:
            process = active_process(order_type)
            self.processes[order_type.pk] = (process, process.start_state)
            for t in Transition.objects.filter(definition=process).select_related("target"):
                self.transitions[(process.pk, t.code)] = t
        return self.processes[order_type.pk]

    def run(self, center, household, steps, now):
        """Apply the ``steps`` before ``now`` to a new order of ``center``;
        returns the number of steps taken."""
        p = _Pending()
        charge = None
        taken = 0
        for step in steps:
            if step.at >= now:
                break
            self.clock.now = step.at
            action, actor, data = step.action, step.actor, step.data
            if action == "intake":
                contact = self._contact(
                    p,
                    center,
                    actor,
                    data["channel"],
                    data["content"],
                    data["customer"],
                    household.phone,
                    step.at,
                )
                if data["order"] is not None:
                    self._register(p, center, actor, contact, data, step.at)
            elif action == "note":
                p.notes.append(
                    Note(work_order=p.order, author=actor, body=data["body"], created_at=step.at)
                )
                self._event(
                    p, p.order, actor, step.at, "order.note", data["body"][:500], customer=None
                )
            elif action == "charge":
                charge = Charge(
                    work_order=p.order,
                    item=data["item"],
                    amount=data["amount"],
                    created_by=actor,
                    created_at=step.at,
                )
                p.charges.append(charge)
                self._event(
                    p,
                    p.order,
                    actor,
                    step.at,
                    "order.charge",
                    _("Charge recorded: %(item)s ¥%(amount)s")
                    % {"item": charge.item, "amount": charge.amount},
                    customer=p.order.customer,
                    after={
                        "item": charge.item,
                        "amount": str(charge.amount),
                        "status": charge.status,
                    },
                )
            elif action == "bill":
                charge.status, charge.billed_at, charge.billed_by = (
                    Charge.Status.BILLED,
                    step.at,
                    actor,
                )
                self._event(
                    p,
                    p.order,
                    actor,
                    step.at,
                    "order.charge_billed",
                    _("Charge billed by finance: %(item)s ¥%(amount)s")
                    % {"item": charge.item, "amount": charge.amount},
                    customer=p.order.customer,
                    before={"status": Charge.Status.PENDING},
                    after={"status": Charge.Status.BILLED},
                )
            elif action == "follow_up":
                contact = self._contact(
                    p,
                    center,
                    actor,
                    "phone",
                    data["content"],
                    p.order.customer,
                    household.phone,
                    step.at,
                )
                contact.work_order = p.order
            else:
                self._transition(p, action, actor, data, step.at)
            taken += 1
        if p.contacts:
            self.pending.append(p)
        if len(self.pending) >= self.batch:
            self.flush()
        return taken

    def _event(self, p, subject, actor, at, verb, message, *, customer, before=None, after=None):
        p.events.append(
            (
                subject,
                TimelineEvent(
                    content_type=self.ct_order
                    if isinstance(subject, WorkOrder)
                    else self.ct_contact,
                    customer=customer,
                    actor=actor,
                    at=at,
                    verb=verb,
                    message=message,
                    before=before or {},
                    after=after or {},
                ),
            )
        )

    def _contact(self, p, center, actor, channel, content, customer, caller, at):
        contact = Contact(
            unit=center,
            channel=channel,
            content=content,
            customer=customer,
            agent=actor,
            caller=caller,
            occurred_at=at,
        )
        p.contacts.append(contact)
        self._event(
            p,
            contact,
            actor,
            at,
            "contact.registered",
            _("%(channel)s contact registered") % {"channel": contact.get_channel_display()},
            customer=customer,
            after={"channel": channel, "content": content[:200]},
        )
        return contact

    def _register(self, p, center, actor, contact, data, at):
        fields = dict(data["order"])
        order_type = fields.pop("order_type")
        process, start = self._process(order_type)
        fields.setdefault("priority", None)
        order = WorkOrder(
            number=next_number(NUMBER_PREFIX),
            unit=center,
            order_type=order_type,
            channel=data["channel"],
            description=data["content"],
            customer=data["customer"],
            process=process,
            state=start,
            created_by=actor,
            created_at=at,
            **fields,
        )
        order.priority = order.priority or order_type.default_priority
        contact.work_order = order
        p.order = order
        p.saved_at = at
        self._event(
            p,
            order,
            actor,
            at,
            "order.registered",
            _("Work order %(number)s registered: %(title)s")
            % {"number": order.number, "title": order.title},
            customer=order.customer,
            after={
                "state": order.state.code,
                "order_type": order_type.label,
                "priority": order.priority,
            },
        )

    def _transition(self, p, code, actor, values, at):
        """``take_transition`` without the database: same fields, effects and
        event. ``values`` are what the transition's form would have cleaned."""
        order = p.order
        p.saved_at = at
        transition = self.transitions[(order.process_id, code)]
        names = transition.field_names
        specs = WorkOrder.PROCESS_FIELDS
        before = _snapshot(order, names)
        for name in names:
            if specs[name].apply is not None and values.get(name) not in (None, ""):
                specs[name].apply(order, values[name])
        previous = order.state
        order.state = transition.target
        for effect in transition.effects:
            WorkOrder.PROCESS_EFFECTS[effect](order, actor, values, transition)
        after = _snapshot(order, names)
        for name in names:
            if specs[name].apply is None and values.get(name) not in (None, ""):
                after[name] = _jsonable(values[name])
        self._event(
            p,
            order,
            actor,
            at,
            f"transition.{code}",
            f"{transition.label}: {previous.label} → {transition.target.label}",
            customer=order.customer,
            before=before,
            after=after,
        )

    def flush(self):
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        orders = [p.order for p in pending if p.order is not None]
        WorkOrder.objects.bulk_create(orders)
        # bulk_create stamped auto_now with the clock's current moment.
        field = WorkOrder._meta.get_field("updated_at")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {WorkOrder._meta.db_table} SET {field.column} = %s WHERE id = %s",
                [
                    (field.get_db_prep_value(p.saved_at, connection), p.order.pk)
                    for p in pending
                    if p.order is not None
                ],
            )
        Contact.objects.bulk_create([c for p in pending for c in p.contacts])
        Note.objects.bulk_create([n for p in pending for n in p.notes])
        Charge.objects.bulk_create([c for p in pending for c in p.charges])
        events = []
        for p in pending:
            for subject, event in p.events:
                event.object_id = subject.pk
                events.append(event)
        TimelineEvent.objects.bulk_create(events)
