"""SMS callbacks: the morning's SMS tasks are sent through messaging and
closed with the text that went out."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks.models import CallbackTask, Method
from kefu.core import timeline
from kefu.messaging import services as messaging

Status = CallbackTask.Status


def send_due(now=None) -> dict[str, int]:
    now = now or timezone.now()
    tasks = CallbackTask.objects.filter(
        method=Method.SMS, status__in=(Status.OPEN, Status.ASSIGNED), created_at__lte=now
    ).select_related("policy", "customer")
    counts = {"sent": 0, "cancelled": 0}
    for task in tasks.iterator(500):
        counts["sent" if _send(task, now) else "cancelled"] += 1
    return counts


@transaction.atomic
def _send(task, now) -> bool:
    template = task.policy.sms_template if task.policy else ""
    before = {"status": task.status}
    try:
        message = messaging.queue_sms(
            key=f"callback:{task.number}",
            customer=task.customer,
            template=template or None,
            body="" if template else task.content,
            now=now,
        )
    except ValidationError as error:
        # An opted-out number, no mobile, today's limit: the SMS callback
        # cannot happen and the reason stays on the task.
        task.status = Status.CANCELLED
        task.content = "; ".join(error.messages)
        done = False
    else:
        task.status = Status.DONE
        task.content = message.body
        done = True
    task.executed_at = now
    task.attempts += 1
    task.save(update_fields=["status", "content", "executed_at", "attempts"])
    timeline.record(
        task,
        "callback.sms" if done else "callback.cancelled",
        customer=task.customer,
        message=task.content
        if done
        else _("SMS callback not sent: %(why)s") % {"why": task.content},
        before=before,
        after={"status": task.status},
    )
    return done
