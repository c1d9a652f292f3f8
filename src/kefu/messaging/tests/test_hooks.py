import json

from django.urls import reverse

from kefu.messaging import services
from kefu.messaging.models import InboundSms, SmsMessage


def post(client, name, secret, payload):
    return client.post(
        reverse(f"messaging:{name}", args=[secret]),
        data=payload if isinstance(payload, str) else json.dumps(payload),
        content_type="application/json",
    )


def test_hooks_refuse_a_wrong_secret(client, customer):
    assert (
        post(client, "inbound_hook", "wrong", [{"phone_number": "13812345678"}]).status_code == 403
    )
    assert not InboundSms.objects.exists()


def test_hooks_refuse_malformed_json(client):
    assert post(client, "delivery_hook", "hook-secret", "{not json").status_code == 400


def test_delivery_report_by_our_reference(client, customer):
    message = services.queue_sms(key="h", customer=customer, body="x")
    response = post(
        client,
        "delivery_hook",
        "hook-secret",
        [{"biz_id": "b1", "out_id": str(message.pk), "success": False, "err_code": "DELIVRD_FAIL",
          "report_time": "2026-12-03 10:00:00"}],
    )  # fmt: skip
    assert response.json()["code"] == 0
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED and message.error == "DELIVRD_FAIL"


def test_inbound_reply_lands_on_the_customer(client, customer):
    post(
        client,
        "inbound_hook",
        "hook-secret",
        [{"phone_number": "13812345678", "content": "请尽快派人来修", "sequence_id": 42,
          "send_time": "2026-12-03 10:00:00"}],
    )  # fmt: skip
    reply = InboundSms.objects.get()
    assert reply.customer == customer and reply.provider_ref == "42"
