from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.messaging import services


# Messages are sent right after they are queued; this sweep retries the
# temporary failures and picks up anything a crashed worker left queued.
@db_periodic_task(crontab(minute="*"))
@lock_task("sms-dispatch")
def dispatch_sms():
    return services.dispatch_due()
