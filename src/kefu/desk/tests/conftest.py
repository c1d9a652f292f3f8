"""The phone desk works on the telephony module's PBX, queue and agents."""

from kefu.telephony.tests.conftest import (  # noqa: F401
    always_open,
    desk_agents,
    fresh_tokens,
    pbx,
    pbx_client,
    queue,
    ready_agents,
)
