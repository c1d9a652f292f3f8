"""Where SMS leave Kefu. A gateway sends one message and returns the
provider's message id, or raises ``GatewayError`` (``temporary`` errors are
retried). ``KEFU_SMS_BACKEND`` chooses: ``console`` (development: the message
is appended to ``var/sms-outbox.log``) or ``aliyun`` (阿里云短信服务)."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    def __init__(self, message, *, temporary=True):
        super().__init__(message)
        self.temporary = temporary


class ConsoleGateway:
    name = "console"

    def __init__(self, path=None):
        self.path = Path(path or Path(settings.VAR_DIR) / "sms-outbox.log")

    def send(self, *, phone, body, reference, template_code="", params=None):
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{stamp}\t{reference}\t{phone}\t{body}\n")
        return f"console-{reference}"


def percent_encode(value: str) -> str:
    # Aliyun's POP signature: RFC 3986 encoding, with "~" kept and spaces as %20.
    return quote(str(value), safe="~")


def aliyun_signature(params: dict, secret: str, method: str = "GET") -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Provider codes that mean "try again later"; any other non-OK code is final.
ALIYUN_TEMPORARY = frozenset(
    {"isp.SYSTEM_ERROR", "isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "SignatureNonceUsed"}
)


def _http_get(url, params, timeout):
    import requests

    try:
        response = requests.get(url, params=params, timeout=timeout)
    except requests.RequestException as error:
        raise GatewayError(f"network: {error}") from error
    if response.status_code >= 500:
        raise GatewayError(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as error:
        raise GatewayError(f"HTTP {response.status_code}: not JSON") from error


class AliyunGateway:
    """Aliyun SMS (dysmsapi ``SendSms``): signed GET with HMAC-SHA1 over the
    sorted, percent-encoded parameters. Our message id travels as ``OutId`` so
    delivery reports find their message."""

    name = "aliyun"
    endpoint = "https://dysmsapi.aliyuncs.com/"

    def __init__(self, *, access_key_id, access_key_secret, sign_name, region="cn-hangzhou",
                 transport=_http_get, timeout=10):  # fmt: skip
        self.access_key_id = access_key_id
        self.secret = access_key_secret
        self.sign_name = sign_name
        self.region = region
        self.transport = transport
        self.timeout = timeout

    def signed_params(self, *, phone, template_code, params, reference, nonce=None, now=None):
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(reference),
            "PhoneNumbers": phone.removeprefix("+86"),
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params or {}, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query["Signature"] = aliyun_signature(query, self.secret)
        return query

    def send(self, *, phone, body, reference, template_code="", params=None):
        if not template_code:
            raise GatewayError("Aliyun needs a registered template code", temporary=False)
        query = self.signed_params(
            phone=phone, template_code=template_code, params=params, reference=reference
        )
        answer = self.transport(self.endpoint, query, self.timeout)
        code = answer.get("Code")
        if code == "OK":
            return answer.get("BizId", "")
        message = f"{code}: {answer.get('Message', '')}"
        raise GatewayError(message, temporary=code in ALIYUN_TEMPORARY)


def get_gateway():
    backend = getattr(settings, "KEFU_SMS_BACKEND", "console")
    if backend == "console":
        return ConsoleGateway()
    if backend == "aliyun":
        return AliyunGateway(**settings.KEFU_SMS_ALIYUN)
    return import_string(backend)()
