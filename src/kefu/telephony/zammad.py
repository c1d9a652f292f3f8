"""Zammad's Generic CTI events, so a PBX scripted for Zammad posts to Kefu
unchanged (https://docs.zammad.org/en/latest/api/generic-cti/).

Zammad sends ``newCall``, ``answer`` and ``hangup`` as JSON or form data,
with ``from``, ``to``, ``direction`` (in/out), ``callId``, ``user`` (one
name, or a ``user[]`` array), ``queue``, ``cause`` (hangup) and
``answeringNumber`` (answer, hangup: the agent's phone, login or id).
The answer to ``newCall`` is ``{"action": "reject", "reason": "busy"}``
for a blocked inbound caller, and otherwise ``{}``."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kefu.telephony import cti

EVENTS = {"newCall": "offered", "answer": "answered", "hangup": "ended"}

# Zammad's hangup causes in Kefu's terms.
CAUSES = {
    "normalClearing": "normal",
    "cancel": "cancel",
    "busy": "busy",
    "noAnswer": "no_answer",
    "congestion": "congestion",
    "notFound": "notfound",
    "forwarded": "forwarded",
}


def flatten(data) -> dict:
    """A JSON body as is; form data with ``user[]`` repeated as a list."""
    if hasattr(data, "getlist"):
        flat = {key.removesuffix("[]"): data.getlist(key) for key in data}
        return {k: (v if k == "user" else (v[0] if v else "")) for k, v in flat.items()}
    if not isinstance(data, dict):
        raise ValidationError({"event": [_("Send a JSON object or form data.")]})
    return dict(data)


def to_kefu(data) -> dict:
    event = data.get("event")
    if event not in EVENTS:
        raise ValidationError(
            {
                "event": [
                    _("Unknown event %(event)r; expected newCall, answer or hangup.")
                    % {"event": event}
                ]
            }
        )
    if not data.get("callId"):
        raise ValidationError({"callId": [_("The callId is required.")]})
    if data.get("direction") not in ("in", "out"):
        raise ValidationError({"direction": [_("Direction is in or out.")]})
    users = data.get("user") or []
    if isinstance(users, str):
        users = [users]
    cause = data.get("cause", "")
    payload = {
        "event": EVENTS[event],
        "call_id": data["callId"],
        "caller": data.get("from", ""),
        "called": data.get("to", ""),
        "direction": data["direction"],
        "queue": data.get("queue", ""),
        "agent": data.get("answeringNumber", ""),
        "cause": CAUSES.get(cause, cause),
        "users": users,
        "zammad": data,
    }
    if event == "newCall" and data["direction"] == "in" and not payload["caller"]:
        payload["caller"] = "anonymous"
    return payload


def handle(pbx, data) -> dict:
    payload = to_kefu(flatten(data))
    if payload["event"] == "answered" and not payload["agent"]:
        # Zammad allows an answer naming only the answering user's real name.
        payload["agent"] = _agent_by_name(payload["users"])
    outcome = cti.receive(pbx, cti.parse_event(payload))
    if payload["event"] == "offered" and outcome.call is not None:
        blocked = outcome.blocked or outcome.call.disposition == "rejected"
        if blocked and outcome.call.direction == "in":
            return {"action": "reject", "reason": "busy"}
    return {}


def _agent_by_name(names):
    from django.contrib.auth import get_user_model

    for name in names:
        parts = name.split()
        User = get_user_model()
        candidates = User.objects.filter(first_name=parts[0]) if parts else User.objects.none()
        if len(parts) > 1:
            candidates = candidates.filter(last_name=" ".join(parts[1:]))
        user = candidates.first()
        if user is not None:
            return user.username
    return ""
