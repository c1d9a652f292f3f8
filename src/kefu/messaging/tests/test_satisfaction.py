from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kefu.core import timeline
from kefu.messaging import satisfaction, services
from kefu.messaging.models import SatisfactionRequest


@pytest.fixture
def survey(customer, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.send_satisfaction_request(
            customer=customer, subject=customer, user=users["agent"]
        )
    return request


def url(request):
    return reverse("messaging:survey", args=[satisfaction.make_token(request)])


def test_request_sends_an_sms_with_the_link(survey):
    survey.message.refresh_from_db()
    assert survey.message.status == "sent"
    assert reverse("messaging:survey", args=["x"]).split("x")[0] in survey.message.body


def test_no_login_page_takes_one_answer(client, survey, customer):
    page = client.get(url(survey))
    assert page.status_code == 200 and "张伟" in page.content.decode()
    done = client.post(url(survey), {"rating": "4", "comment": "师傅很准时"})
    assert done.status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 4 and survey.satisfaction == "satisfied" and survey.answered_at
    event = timeline.events_for_customer(customer).get(verb="satisfaction.rated")
    assert event.after["comment"] == "师傅很准时"
    again = client.post(url(survey), {"rating": "1"})
    assert again.status_code == 410
    survey.refresh_from_db()
    assert survey.rating == 4


def test_malformed_rating_is_refused(client, survey):
    response = client.post(url(survey), {"rating": "9"})
    assert response.status_code == 400
    survey.refresh_from_db()
    assert survey.answered_at is None


@pytest.mark.parametrize(
    "token",
    ["garbage", "MQ:1tAbCd:forged", "x" * 300],
)
def test_forged_tokens_are_refused(client, survey, token):
    response = client.post(reverse("messaging:survey", args=[token]), {"rating": "5"})
    assert response.status_code == 410
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_token_for_another_request_cannot_be_made_without_the_key(client, survey):
    forged = signing.dumps(survey.pk, key="not-the-secret", salt=satisfaction.SALT, compress=True)
    assert (
        client.post(reverse("messaging:survey", args=[forged]), {"rating": "5"}).status_code == 410
    )


def test_expired_link_is_refused(client, survey):
    SatisfactionRequest.objects.filter(pk=survey.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(url(survey)).status_code == 410


def test_sms_reply_answers_the_open_request(survey, customer):
    services.receive_reply(phone="13812345678", body="5")
    survey.refresh_from_db()
    assert survey.rating == 5 and survey.satisfaction == "very_satisfied"


def test_request_refused_outside_scope(customer, users):
    with pytest.raises(PermissionDenied):
        services.send_satisfaction_request(
            customer=customer, subject=customer, user=users["agent_west"]
        )
    assert not SatisfactionRequest.objects.exists()


def test_report_counts_per_unit(survey, users, org):
    satisfaction.answer(satisfaction.make_token(survey), rating=5)
    start = timezone.now() - timedelta(days=1)
    (row,) = satisfaction.report(users["manager"], start=start, end=timezone.now() + timedelta(1))
    assert row["sent"] == 1 and row["answered"] == 1 and row["average"] == 5
    assert satisfaction.report(users["agent_west"], start=start, end=timezone.now()) == []


def test_report_page_for_supervisors_only(client, survey, users):
    satisfaction.answer(satisfaction.make_token(survey), rating=4, comment="挺好")
    client.force_login(users["supervisor"])
    page = client.get(reverse("messaging:satisfaction_report"))
    assert page.status_code == 200 and "挺好" in page.content.decode()
    client.force_login(users["agent"])
    assert client.get(reverse("messaging:satisfaction_report")).status_code == 403
