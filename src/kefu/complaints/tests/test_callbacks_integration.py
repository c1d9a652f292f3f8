"""The complaint and the callback module together: informing the customer
creates the mandatory callback task, its result closes the complaint or
sends it back to handling."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.callbacks import services as callbacks
from kefu.callbacks.models import CallbackTask
from kefu.complaints import services
from kefu.complaints.models import Complaint

pytestmark = pytest.mark.django_db


def inform(complaint, users, depts, capture):
    plan = services.propose_plan(
        complaint, user=users["handler"], department=depts["east_eng"], content="重新上门"
    )
    services.approve_plan(plan, user=users["supervisor"], comment="同意")
    services.record_result(complaint, user=users["handler"], result="已修好")
    with capture(execute=True):
        services.inform_customer(complaint, user=users["agent"])
    return CallbackTask.objects.get()


def tomorrow_morning():
    """A moment outside the quiet hours in which voice callbacks are refused,
    whatever time the suite runs."""
    return (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)


@pytest.mark.parametrize(
    ("satisfaction", "status"),
    [("satisfied", Complaint.Status.CLOSED), ("dissatisfied", Complaint.Status.HANDLING)],
)
def test_callback_task_result_moves_the_complaint(
    justified, users, depts, django_capture_on_commit_callbacks, satisfaction, status
):
    task = inform(justified, users, depts, django_capture_on_commit_callbacks)
    assert task.mandatory
    with django_capture_on_commit_callbacks(execute=True):
        callbacks.record_result(
            task,
            user=users["supervisor"],
            content="回访",
            satisfaction=satisfaction,
            now=tomorrow_morning(),
        )
    justified.refresh_from_db()
    assert justified.status == status
    assert justified.satisfaction == satisfaction


def test_complainant_without_customer_file(
    users, depts, category, django_capture_on_commit_callbacks
):
    complaint = services.register(
        user=users["agent"],
        category=category,
        channel=Complaint.Channel.LETTER,
        content="来信投诉",
        complainant_name="匿名业主",
    )
    services.judge_justified(
        complaint,
        user=users["supervisor"],
        responsible_department=depts["east_eng"],
        apology="抱歉",
        investigation_days=2,
    )
    with pytest.raises(CallbackTask.DoesNotExist):
        inform(complaint, users, depts, django_capture_on_commit_callbacks)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.AWAITING_CALLBACK
    services.record_callback(complaint, user=users["agent"], satisfaction="satisfied")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
