from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from kefu.telephony import agents, pushes
from kefu.telephony.models import Pbx


@db_periodic_task(crontab(minute="*"))
@lock_task("telephony-wrapups")
def release_wrapups():
    """After-call work past the queue's limit ends even when no call is
    being routed (routing also releases it, to the second)."""
    with transaction.atomic():
        return agents.release_overdue_wrapups()


@db_periodic_task(crontab(minute="*"))
@lock_task("telephony-route-pushes")
def push_routes():
    return pushes.sweep()


@db_task()
def decide_waiting_call(pbx_id, call_id):
    """A waiting call's overflow time has come (push routing)."""
    pbx = Pbx.objects.filter(pk=pbx_id).first()
    if pbx is not None:
        pushes.decide(pbx, call_id)
