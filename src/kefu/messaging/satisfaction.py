"""Post-contact satisfaction: a request with a signed link to a page that
needs no login. The token names the request and is signed with the secret
key (tampering is refused), expires, and the request takes one answer."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import scoping, timeline
from kefu.core.choices import Satisfaction
from kefu.messaging import services
from kefu.messaging.models import SatisfactionRequest

SALT = "kefu.messaging.satisfaction"
VALID_DAYS = 7
RATINGS = {
    5: Satisfaction.VERY_SATISFIED,
    4: Satisfaction.SATISFIED,
    3: Satisfaction.NEUTRAL,
    2: Satisfaction.DISSATISFIED,
    1: Satisfaction.VERY_DISSATISFIED,
}


class TokenError(Exception):
    """The link is forged, expired or already used; ``reason`` says which."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def make_token(request: SatisfactionRequest) -> str:
    return signing.dumps(request.pk, salt=SALT, compress=True)


def link(request: SatisfactionRequest) -> str:
    base = getattr(settings, "KEFU_PUBLIC_URL", "").rstrip("/")
    return f"{base}{reverse('messaging:survey', args=[make_token(request)])}"


@transaction.atomic
def send_satisfaction_request(*, customer, subject, user, channel="sms", now=None):
    """Ask ``customer`` to rate the contact ``subject`` (a call, a closed
    work order …). With ``channel="sms"`` the link goes out by SMS; with
    ``"link"`` the caller shows or sends the link itself."""
    now = now or timezone.now()
    if user is not None and not scoping.can_see_unit(user, customer.unit):
        raise PermissionDenied(_("You cannot see this customer."))
    if channel not in SatisfactionRequest.Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    request = SatisfactionRequest.objects.create(
        customer=customer,
        unit=customer.unit,
        subject=subject,
        channel=channel,
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(days=VALID_DAYS),
    )
    if channel == SatisfactionRequest.Channel.SMS:
        request.message = services.queue_sms(
            key=f"satisfaction:{request.pk}",
            customer=customer,
            template="satisfaction",
            params={"link": link(request)},
            user=user,
            now=now,
        )
        request.save(update_fields=["message"])
    timeline.record(
        request,
        "satisfaction.requested",
        actor=user,
        customer=customer,
        message=_("Satisfaction rating requested"),
        after={"channel": channel, "expires_at": request.expires_at.isoformat()},
    )
    return request


def open_request(token: str, now=None) -> SatisfactionRequest:
    now = now or timezone.now()
    try:
        pk = signing.loads(token, salt=SALT, max_age=timedelta(days=VALID_DAYS))
    except signing.SignatureExpired as error:
        raise TokenError("expired") from error
    except signing.BadSignature as error:
        raise TokenError("invalid") from error
    request = SatisfactionRequest.objects.filter(pk=pk).select_related("customer").first()
    if request is None:
        raise TokenError("invalid")
    if request.answered_at is not None:
        raise TokenError("answered")
    if request.expires_at <= now:
        raise TokenError("expired")
    return request


def _store(request, rating, comment, at, via):
    request.rating = rating
    request.satisfaction = RATINGS[rating]
    request.comment = comment
    request.answered_at = at
    request.save(update_fields=["rating", "satisfaction", "comment", "answered_at"])
    timeline.record(
        request,
        "satisfaction.rated",
        customer=request.customer,
        message=_("Rated %(rating)s/5 (%(label)s)")
        % {"rating": rating, "label": request.get_satisfaction_display()},
        after={
            "rating": rating,
            "satisfaction": request.satisfaction,
            "comment": comment,
            "via": via,
        },
    )
    return request


@transaction.atomic
def answer(token: str, *, rating, comment="", now=None) -> SatisfactionRequest:
    now = now or timezone.now()
    request = open_request(token, now)
    # Lock and re-check: two answers posted at once store one.
    request = SatisfactionRequest.objects.select_for_update().get(pk=request.pk)
    if request.answered_at is not None:
        raise TokenError("answered")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    comment = (comment or "").strip()
    errors = {}
    if rating not in RATINGS:
        errors["rating"] = [_("Choose a rating from 1 to 5.")]
    if len(comment) > 500:
        errors["comment"] = [_("Keep the comment under 500 characters.")]
    if errors:
        raise ValidationError(errors)
    return _store(request, rating, comment, now, "link")


@transaction.atomic
def answer_by_sms(*, customer, phone, rating, at):
    """A rating replied by SMS answers the newest open request sent to it."""
    request = (
        SatisfactionRequest.objects.select_for_update()
        .filter(
            customer=customer,
            channel=SatisfactionRequest.Channel.SMS,
            message__phone=phone,
            answered_at__isnull=True,
            expires_at__gt=at,
        )
        .order_by("-created_at")
        .first()
    )
    if request is None:
        return None
    return _store(request, rating, "", at, "sms")


def report(user, *, start, end):
    """Requests and answers per unit in [start, end): counts, average
    rating, share satisfied."""
    requests = scoping.scope_by_unit(SatisfactionRequest.objects.all(), user).filter(
        created_at__gte=start, created_at__lt=end
    )
    satisfied = Q(rating__gte=4)
    rows = (
        requests.values("unit__name")
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            average=Avg("rating"),
            satisfied=Count("id", filter=satisfied),
        )
        .order_by("unit__name")
    )
    return [
        {
            **row,
            "response_rate": row["answered"] / row["sent"] if row["sent"] else 0,
            "satisfied_share": row["satisfied"] / row["answered"] if row["answered"] else 0,
        }
        for row in rows
    ]
