from datetime import date, datetime, timedelta

from django.utils import timezone

from kefu.callbacks import generation, sms
from kefu.callbacks.models import CallbackTask
from kefu.core import timeline
from kefu.messaging.models import SmsMessage
from kefu.messaging.services import opt_out
from kefu.workorders.models import WorkOrder

DAY = date(2026, 12, 3)


def test_sms_callbacks_sent_once_and_closed(
    make_order, customer, django_capture_on_commit_callbacks
):
    # Find a repair order the 50% SMS sample picks, resolved three days ago.
    for i in range(12):
        order = make_order(title=f"维修{i}")
        WorkOrder.objects.filter(pk=order.pk).update(
            resolved_at=timezone.make_aware(datetime(2026, 11, 30, 10))
        )
    generation.generate(day=DAY, now=timezone.make_aware(datetime(2026, 12, 3, 6, 30)))
    tasks = CallbackTask.objects.filter(policy__code="repair_sms")
    assert tasks.exists()
    nine = timezone.make_aware(datetime(2026, 12, 3, 9))
    with django_capture_on_commit_callbacks(execute=True):
        counts = sms.send_due(now=nine)
    # One customer, at most three messages a day: the rest are cancelled with the reason.
    assert counts["sent"] == min(3, tasks.count())
    assert counts["sent"] + counts["cancelled"] == tasks.count()
    done = tasks.filter(status="done").first()
    assert done.content.startswith("亲爱的张伟")
    assert SmsMessage.objects.filter(key=f"callback:{done.number}").count() == 1
    assert timeline.events_for(done).filter(verb="callback.sms").exists()
    assert sms.send_due(now=nine + timedelta(hours=1)) == {"sent": 0, "cancelled": 0}


def test_opted_out_customer_task_is_cancelled(customer):
    opt_out("+8613812345678")
    policy_task = CallbackTask.objects.create(
        number="HF20261203-9001",
        unit=customer.unit,
        customer=customer,
        trigger="repair_completed",
        occasion="manual-sms",
        method="sms",
        triggered_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=1),
        content="感谢您的支持",
    )
    assert sms.send_due() == {"sent": 0, "cancelled": 1}
    policy_task.refresh_from_db()
    assert policy_task.status == "cancelled" and "已退订" in policy_task.content
    assert not SmsMessage.objects.exists()
