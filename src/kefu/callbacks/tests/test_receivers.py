from datetime import timedelta

from django.utils import timezone

from kefu.callbacks import generation, sampling
from kefu.callbacks.models import CallbackTask, Trigger
from kefu.complaints.signals import complaint_awaiting_callback
from kefu.processes.engine import take_transition
from kefu.telephony.models import Call, Pbx
from kefu.telephony.signals import call_ended
from kefu.workorders.models import WorkOrder


def test_resolved_repair_creates_the_sampled_callback(
    make_order, users, depts, django_capture_on_commit_callbacks
):
    # An order the 50% sample picks (the draw depends only on its id).
    order = make_order()
    while not sampling.pick("repair_phone", "0.5", f"wo{order.pk}")[0]:
        order = make_order()
    take_transition(order, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    with django_capture_on_commit_callbacks(execute=True):
        take_transition(order, "complete", users["handler"], {"result": "更换水管接头"})
    tasks = CallbackTask.objects.filter(policy__code="repair_phone", subject_id=order.pk)
    assert tasks.count() == 1
    # The next morning's run meets the same occasion: no second task.
    order.refresh_from_db()
    generation.generate(day=timezone.localdate(order.resolved_at) + timedelta(days=1))
    assert tasks.count() == 1


def test_complaint_awaiting_callback_creates_a_mandatory_task(make_order, users):
    # The complaint module is built in parallel; a complaint-type work order
    # carries the attributes the signal promises (customer, unit, number).
    complaint = make_order(type_code="complaint", title="维修人员态度差")
    due = timezone.now() + timedelta(days=2)
    complaint_awaiting_callback.send(
        sender=WorkOrder, complaint=complaint, due_at=due, user=users["agent"]
    )
    complaint_awaiting_callback.send(
        sender=WorkOrder, complaint=complaint, due_at=due, user=users["agent"]
    )
    task = CallbackTask.objects.get(trigger=Trigger.COMPLAINT_RESOLVED)
    assert task.mandatory and task.subject == complaint and task.due_at == due
    assert task.customer == complaint.customer and task.unit == complaint.unit


def make_call(org, customer, disposition):
    pbx, _ = Pbx.objects.get_or_create(name="东区交换机", unit=org["east"], token="t-east")
    now = timezone.now()
    return Call.objects.create(
        pbx=pbx,
        call_id=f"c-{disposition}",
        unit=org["east"],
        caller="+8613812345678",
        customer=customer,
        status=Call.Status.ENDED,
        disposition=disposition,
        offered_at=now - timedelta(minutes=2),
        ended_at=now,
    )


def test_abandoned_and_voicemail_calls_become_callbacks(org, customer):
    for disposition in ("abandoned", "voicemail", "answered"):
        call = make_call(org, customer, disposition)
        call_ended.send(sender=Call, call=call)
    tasks = CallbackTask.objects.filter(trigger=Trigger.CALL_MISSED)
    assert sorted(t.subject.disposition for t in tasks) == ["abandoned", "voicemail"]
    assert all(t.due_at - t.triggered_at == timedelta(days=1) for t in tasks)
