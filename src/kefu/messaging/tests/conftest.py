import pytest


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.KEFU_SMS_BACKEND = "console"
    settings.KEFU_SMS_WEBHOOK_SECRET = "hook-secret"
    return tmp_path / "sms-outbox.log"


class FlakyGateway:
    """A provider that fails the first ``failures`` sends, temporarily or not."""

    name = "flaky"

    def __init__(self, failures=1, temporary=True):
        self.failures = failures
        self.temporary = temporary
        self.sent = []

    def send(self, *, phone, body, reference, template_code="", params=None):
        from kefu.messaging.gateways import GatewayError

        if self.failures:
            self.failures -= 1
            raise GatewayError("isp.SYSTEM_ERROR", temporary=self.temporary)
        self.sent.append((phone, body, reference))
        return f"biz-{reference}"


@pytest.fixture
def flaky():
    return FlakyGateway
