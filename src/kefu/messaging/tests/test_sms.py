from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kefu.core import timeline
from kefu.messaging import services
from kefu.messaging.models import InboundSms, OptOut, SmsMessage

Status = SmsMessage.Status
NOW = timezone.make_aware(datetime(2026, 12, 3, 10))


def test_template_rendered_queued_and_sent(
    customer, users, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.queue_sms(
            key="t1", customer=customer, template="repair_followup", user=users["agent"]
        )
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider_id == f"console-{message.pk}"
    assert message.body.startswith("亲爱的张伟") and "400-000-0000" in message.body
    assert message.phone == "+8613812345678"
    assert "亲爱的张伟" in sms_outbox.read_text(encoding="utf-8")
    assert timeline.events_for_customer(customer).filter(verb="sms.queued").exists()


def test_same_key_never_sends_twice(customer, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.queue_sms(key="k", customer=customer, body="您好")
        second = services.queue_sms(key="k", customer=customer, body="您好")
    assert first.pk == second.pk and SmsMessage.objects.count() == 1


def test_malformed_messages_are_refused_and_nothing_written(customer, users):
    with pytest.raises(ValidationError) as error:
        services.queue_sms(key="a", customer=customer, template="festival")
    assert "params" in error.value.message_dict  # {festival} has no value
    with pytest.raises(ValidationError):
        services.queue_sms(key="b", phone="12", body="x")
    with pytest.raises(ValidationError):
        services.queue_sms(key="c", customer=customer, template="no-such")
    with pytest.raises(ValidationError):
        services.queue_sms(key="d", customer=customer, body="   ")
    assert not SmsMessage.objects.exists()


def test_scope_is_checked(customer, users):
    with pytest.raises(PermissionDenied):
        services.queue_sms(key="w", customer=customer, body="x", user=users["agent_west"])


def test_opted_out_numbers_get_nothing(customer):
    services.opt_out("138 1234 5678", source="test")
    with pytest.raises(ValidationError) as error:
        services.queue_sms(key="o", customer=customer, body="x")
    assert "phone" in error.value.message_dict


def test_daily_rate_limit_per_number(customer, settings):
    settings.KEFU_SMS_DAILY_LIMIT = 2
    services.queue_sms(key="r1", customer=customer, body="1", now=NOW)
    services.queue_sms(key="r2", customer=customer, body="2", now=NOW)
    with pytest.raises(ValidationError):
        services.queue_sms(key="r3", customer=customer, body="3", now=NOW)
    services.queue_sms(key="r4", customer=customer, body="4", now=NOW + timedelta(days=1))
    assert SmsMessage.objects.count() == 3


def test_temporary_failure_is_retried_once_without_duplicate(customer, flaky):
    gateway = flaky(failures=1)
    message = services.queue_sms(key="f", customer=customer, body="x", now=NOW)
    services.deliver(message.pk, gateway=gateway, now=NOW)
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 1
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    # Not yet due: the sweep leaves it alone.
    assert services.dispatch_due(now=NOW + timedelta(seconds=30), gateway=gateway) == 0
    assert services.dispatch_due(now=NOW + timedelta(minutes=1), gateway=gateway) == 1
    assert services.dispatch_due(now=NOW + timedelta(minutes=2), gateway=gateway) == 0
    message.refresh_from_db()
    assert message.status == Status.SENT and len(gateway.sent) == 1


def test_permanent_failure_stops_and_shows_on_the_timeline(customer, flaky):
    gateway = flaky(failures=5, temporary=False)
    message = services.queue_sms(key="p", customer=customer, body="x", now=NOW)
    services.deliver(message.pk, gateway=gateway, now=NOW)
    message.refresh_from_db()
    assert message.status == Status.FAILED and gateway.sent == []
    assert timeline.events_for(message).filter(verb="sms.failed").exists()


def test_retries_give_up_after_the_last_delay(customer, flaky):
    gateway = flaky(failures=10)
    message = services.queue_sms(key="g", customer=customer, body="x", now=NOW)
    moment = NOW
    for _ in range(6):
        services.deliver(message.pk, gateway=gateway, now=moment)
        moment += timedelta(hours=1)
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 4


def test_sending_message_is_not_sent_again(customer, flaky):
    message = services.queue_sms(key="s", customer=customer, body="x", now=NOW)
    SmsMessage.objects.filter(pk=message.pk).update(status=Status.SENDING)
    gateway = flaky(failures=0)
    assert services.deliver(message.pk, gateway=gateway, now=NOW) is None
    assert gateway.sent == []


def test_delivery_report_updates_status(customer, flaky):
    message = services.queue_sms(key="d", customer=customer, body="x", now=NOW)
    services.deliver(message.pk, gateway=flaky(failures=0), now=NOW)
    services.delivery_report(provider_id=f"biz-{message.pk}", delivered=True)
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at
    assert services.delivery_report(provider_id="unknown", delivered=True) is None


def test_replies_go_to_the_customer_file_and_td_opts_out(customer):
    reply = services.receive_reply(
        phone="13812345678", body="维修后一切正常，谢谢", provider_ref="1"
    )
    assert reply.customer == customer
    assert timeline.events_for_customer(customer).filter(verb="sms.reply").exists()
    services.receive_reply(phone="13812345678", body="维修后一切正常，谢谢", provider_ref="1")
    assert InboundSms.objects.count() == 1
    services.receive_reply(phone="+86 138 1234 5678", body="TD")
    assert OptOut.objects.filter(phone="+8613812345678").exists()
