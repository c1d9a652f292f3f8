"""Writing and reading timelines. Apps call ``record`` for every state change."""

from django.contrib.contenttypes.models import ContentType

from kefu.core.models import TimelineEvent


def record(
    subject, verb, *, actor=None, message="", before=None, after=None, customer=None, at=None
):
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    kwargs = {}
    if at is not None:
        kwargs["at"] = at
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        customer=customer,
        actor=actor,
        verb=verb,
        message=message,
        before=before or {},
        after=after or {},
        **kwargs,
    )


def events_for(subject):
    return TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
    ).select_related("actor", "content_type")


def events_for_customer(customer):
    return TimelineEvent.objects.filter(customer=customer).select_related("actor", "content_type")
