"""A complaint and the callback module together: recording the result puts a
mandatory callback on the callback list; the callback agent's result closes
the complaint or sends it back to handling."""

import pytest

from kefu.callbacks import services as callbacks
from kefu.callbacks.models import CallbackTask
from kefu.complaints import services
from kefu.complaints.models import Complaint

S = Complaint.Status


@pytest.fixture
def resolved(justified, users, depts, customer, django_capture_on_commit_callbacks):
    complaint = justified(customer=customer)
    plan = services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], proposal="重新维修"
    )
    services.decide_plan(plan, user=users["supervisor"], approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_result(complaint, user=users["agent"], result="已重新维修")


def work_callback(task, user, satisfaction, capture):
    with capture(execute=True):
        callbacks.record_result(
            task, user=user, reached=True, content="客户反馈", satisfaction=satisfaction
        )


def test_the_result_puts_a_mandatory_callback_on_the_list(resolved, customer):
    task = CallbackTask.objects.get()
    assert task.subject == resolved
    assert task.customer == customer
    assert task.mandatory


@pytest.mark.parametrize(
    "satisfaction,status", [("satisfied", S.CLOSED), ("dissatisfied", S.HANDLING)]
)
def test_the_callback_agents_result_moves_the_complaint(
    resolved, users, satisfaction, status, django_capture_on_commit_callbacks
):
    task = CallbackTask.objects.get()
    task = callbacks.reassign(task, user=users["supervisor"], agent=users["callback"])
    work_callback(task, users["callback"], satisfaction, django_capture_on_commit_callbacks)
    resolved.refresh_from_db()
    assert resolved.status == status
