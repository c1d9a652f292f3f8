from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.sla import services


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-sweep")
def sla_sweep():
    return services.sweep()
