from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.telephony import agents


@db_periodic_task(crontab(minute="*"))
@lock_task("telephony-wrapups")
def release_wrapups():
    """After-call work past the queue's limit ends even when no call is
    being routed (routing also releases it, to the second)."""
    with transaction.atomic():
        return agents.release_overdue_wrapups()
