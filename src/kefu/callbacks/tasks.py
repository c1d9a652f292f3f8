from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kefu.callbacks import generation, services, sms


# Before the callback agents start (seed 001: SMS callbacks are the first thing
# of the morning).
@db_periodic_task(crontab(hour="6", minute="30"))
@lock_task("callbacks-generate")
def generate_daily_callbacks():
    return generation.generate()


@db_periodic_task(crontab(minute="*/10"))
@lock_task("callbacks-problems")
def escalate_callback_problems():
    return services.escalate_overdue_problems()


# SMS go out at nine, after the night's quiet hours.
@db_periodic_task(crontab(hour="9", minute="0"))
@lock_task("callbacks-sms")
def send_sms_callbacks():
    return sms.send_due()
