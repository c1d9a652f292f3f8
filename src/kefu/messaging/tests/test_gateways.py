from datetime import UTC, datetime

import pytest

from kefu.messaging.gateways import (
    AliyunGateway,
    ConsoleGateway,
    GatewayError,
    aliyun_signature,
    get_gateway,
)


def test_signature_matches_the_providers_documented_example():
    # The worked example of Aliyun's SendSms signature documentation.
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def gateway(answer):
    requests = []

    def transport(url, params, timeout):
        requests.append((url, params))
        return answer

    return (
        AliyunGateway(
            access_key_id="id",
            access_key_secret="secret",
            sign_name="客服中心",
            transport=transport,
        ),
        requests,
    )


def test_aliyun_send_signs_the_request_and_returns_the_biz_id():
    gw, requests = gateway({"Code": "OK", "BizId": "900619746936498440^0"})
    assert (
        gw.send(
            phone="+8613812345678", body="x", reference=7, template_code="SMS_1", params={"a": "b"}
        )
        == "900619746936498440^0"
    )
    ((_url, params),) = requests
    assert params["PhoneNumbers"] == "13812345678" and params["OutId"] == "7"
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    assert params["Signature"] == aliyun_signature(unsigned, "secret")


@pytest.mark.parametrize(
    ("code", "temporary"),
    [("isv.BUSINESS_LIMIT_CONTROL", True), ("isp.SYSTEM_ERROR", True),
     ("isv.MOBILE_NUMBER_ILLEGAL", False)],
)  # fmt: skip
def test_aliyun_errors_say_whether_to_retry(code, temporary):
    gw, _requests = gateway({"Code": code, "Message": "no"})
    with pytest.raises(GatewayError) as error:
        gw.send(phone="+8613812345678", body="x", reference=1, template_code="SMS_1")
    assert error.value.temporary is temporary


def test_aliyun_refuses_a_template_without_provider_code():
    gw, requests = gateway({"Code": "OK"})
    with pytest.raises(GatewayError) as error:
        gw.send(phone="+8613812345678", body="x", reference=1)
    assert not error.value.temporary and requests == []


def test_signed_params_are_stable_for_a_nonce_and_time():
    gw, _ = gateway({})
    now = datetime(2026, 12, 3, 1, 2, 3, tzinfo=UTC)
    one = gw.signed_params(phone="+8613812345678", template_code="T", params={}, reference=1,
                           nonce="n", now=now)  # fmt: skip
    assert one["Timestamp"] == "2026-12-03T01:02:03Z"
    assert one == gw.signed_params(
        phone="+8613812345678", template_code="T", params={}, reference=1, nonce="n", now=now
    )


def test_console_backend_writes_the_outbox(sms_outbox):
    gw = get_gateway()
    assert isinstance(gw, ConsoleGateway)
    assert gw.send(phone="+8613812345678", body="您好", reference=3) == "console-3"
    assert "+8613812345678\t您好" in sms_outbox.read_text(encoding="utf-8")
