from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kefu.callbacks.signals import callback_completed
from kefu.complaints import services
from kefu.complaints.models import Complaint, CorrectiveAction, ResolutionPlan, Severity
from kefu.complaints.signals import complaint_awaiting_callback
from kefu.core import timeline
from kefu.core.notifications import Notification
from kefu.customers.models import Customer

S = Complaint.Status
pytestmark = pytest.mark.django_db


def verbs(complaint):
    return [e.verb for e in timeline.events_for(complaint).order_by("at", "id")]


def test_register_numbers_and_targets(register):
    complaint = register()
    assert complaint.number.startswith("TS")
    assert complaint.status == S.REGISTERED
    assert complaint.due_at == complaint.received_at + timedelta(hours=48)
    assert complaint.outside_reply_due_at is None
    assert verbs(complaint) == ["complaint.registered"]


def test_register_creates_customer_on_request(register, org):
    complaint = register(create_customer=True, complainant_phone="13900001111")
    assert complaint.customer.name == "李娜"
    assert complaint.customer.unit == org["east"]
    assert (
        timeline.events_for_customer(complaint.customer)
        .filter(verb="complaint.registered")
        .exists()
    )


def test_register_links_customer_and_work_order(register, customer):
    complaint = register(customer=customer, complainant_name="")
    assert complaint.complainant_name == "张伟"
    assert complaint.customer == customer


def test_outside_party_gets_3_and_10_day_targets(register, depts):
    complaint = register(accused_department=depts["factory"])
    assert complaint.outside_reply_due_at == complaint.received_at + timedelta(days=3)
    assert complaint.outside_close_due_at == complaint.received_at + timedelta(days=10)


def test_register_malformed_writes_nothing(register):
    with pytest.raises(ValidationError) as exc:
        register(content="  ", channel="telegram", category="nope", complainant_name="")
    assert set(exc.value.message_dict) == {"content", "channel", "category", "complainant_name"}
    assert Complaint.objects.count() == 0
    assert Customer.objects.count() == 0


def test_register_in_future_refused(register):
    with pytest.raises(ValidationError) as exc:
        register(received_at=timezone.now() + timedelta(days=1))
    assert "received_at" in exc.value.message_dict


def test_register_outside_scope_refused(register, org, users):
    with pytest.raises(PermissionDenied):
        register(unit=org["west"])
    with pytest.raises(PermissionDenied):
        register(user=users["handler"])
    assert Complaint.objects.count() == 0


def test_unjustified_closes_with_explanation(register, senior):
    complaint = services.judge(
        register(), user=senior, justified=False, explanation="已向客户解释收费标准，客户表示理解。"
    )
    assert complaint.status == S.CLOSED
    assert complaint.closed_at is not None
    assert complaint.justified is False
    assert verbs(complaint) == ["complaint.registered", "complaint.judged"]
    event = timeline.events_for(complaint).get(verb="complaint.judged")
    assert event.before["status"] == S.REGISTERED and event.after["status"] == S.CLOSED


def test_unjustified_needs_explanation(register, senior):
    complaint = register()
    with pytest.raises(ValidationError) as exc:
        services.judge(complaint, user=senior, justified=False, explanation="")
    assert "explanation" in exc.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == S.REGISTERED


def test_justified_needs_department_apology_and_time(register, users):
    with pytest.raises(ValidationError) as exc:
        services.judge(register(), user=users["supervisor"], justified=True, promised_days=0)
    assert set(exc.value.message_dict) == {"responsible_department", "apology", "promised_days"}


def test_agent_cannot_judge(register, users):
    with pytest.raises(PermissionDenied):
        services.judge(register(), user=users["agent"], justified=False, explanation="x")


def test_west_supervisor_cannot_judge_east(register, supervisor_west):
    with pytest.raises(PermissionDenied):
        services.judge(register(), user=supervisor_west, justified=False, explanation="x")


def test_justified_path_with_approval_and_callback(justified, users, depts):
    complaint = justified()
    assert complaint.status == S.HANDLING
    assert complaint.responsible_department == depts["east_eng"]
    plan = services.propose_plan(
        complaint,
        user=users["handler"],
        department=depts["east_eng"],
        proposal="重新上门维修并由班长带队道歉",
        compensation_kind="物业费减免",
        compensation_amount="200",
    )
    services.decide_plan(plan, user=users["supervisor"], approve=True, comment="同意，48小时内完成")
    plan.refresh_from_db()
    assert plan.status == ResolutionPlan.Status.APPROVED
    assert plan.decided_by == users["supervisor"]
    assert plan.compensation_amount == Decimal("200")
    sent = []
    complaint_awaiting_callback.connect(
        lambda sender, **kw: sent.append(kw), weak=False, dispatch_uid="test-awaiting"
    )
    try:
        complaint = services.record_result(
            complaint, user=users["agent"], result="已重新维修，客户确认"
        )
    finally:
        complaint_awaiting_callback.disconnect(dispatch_uid="test-awaiting")
    assert complaint.status == S.AWAITING_CALLBACK
    assert (
        sent[0]["complaint"].pk == complaint.pk and sent[0]["due_at"] == complaint.callback_due_at
    )
    callback_completed.send(
        sender=None,
        task=None,
        subject=complaint,
        satisfaction="satisfied",
        note="满意",
        user=users["callback"],
    )
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.satisfaction == "satisfied"
    assert verbs(complaint) == [
        "complaint.registered",
        "complaint.judged",
        "complaint.plan_proposed",
        "complaint.plan_approved",
        "complaint.result",
        "complaint.closed",
    ]


def test_dissatisfied_callback_goes_back_to_handling(justified, users, depts):
    complaint = justified()
    plan = services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], proposal="更换配件"
    )
    services.decide_plan(plan, user=users["supervisor"], approve=True)
    complaint = services.record_result(complaint, user=users["agent"], result="已更换")
    callback_completed.send(
        sender=None,
        task=None,
        subject=complaint,
        satisfaction="dissatisfied",
        note="问题依旧",
        user=users["callback"],
    )
    complaint.refresh_from_db()
    assert complaint.status == S.HANDLING
    assert verbs(complaint)[-1] == "complaint.reopened"
    # A new plan can be proposed and approved after the reopening.
    plan2 = services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], proposal="整机更换"
    )
    services.decide_plan(plan2, user=users["supervisor"], approve=True)
    complaint.refresh_from_db()
    assert complaint.status == S.EXECUTING


def test_callback_without_answer_leaves_complaint_waiting(justified, users, depts):
    complaint = justified()
    plan = services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], proposal="p"
    )
    services.decide_plan(plan, user=users["supervisor"], approve=True)
    services.record_result(complaint, user=users["agent"], result="r")
    callback_completed.send(
        sender=None, task=None, subject=complaint, satisfaction="", note="无人接听", user=None
    )
    complaint.refresh_from_db()
    assert complaint.status == S.AWAITING_CALLBACK


def test_manual_callback_and_malformed(justified, users, depts):
    complaint = justified()
    plan = services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], proposal="p"
    )
    services.decide_plan(plan, user=users["supervisor"], approve=True)
    services.record_result(complaint, user=users["agent"], result="r")
    with pytest.raises(ValidationError):
        services.record_callback(complaint, user=users["callback"], satisfaction="happy")
    with pytest.raises(PermissionDenied):
        services.record_callback(complaint, user=users["agent_west"], satisfaction="satisfied")
    complaint = services.record_callback(
        complaint, user=users["callback"], satisfaction="very_satisfied", note="好"
    )
    assert complaint.status == S.CLOSED


def test_rejected_plan_keeps_handling(justified, users, depts):
    complaint = justified()
    plan = services.propose_plan(
        complaint, user=users["handler"], department=depts["east_eng"], proposal="口头道歉"
    )
    with pytest.raises(ValidationError) as exc:
        services.decide_plan(plan, user=users["supervisor"], approve=False)
    assert "comment" in exc.value.message_dict
    services.decide_plan(plan, user=users["supervisor"], approve=False, comment="方案不足，需上门")
    plan.refresh_from_db()
    complaint.refresh_from_db()
    assert plan.status == ResolutionPlan.Status.REJECTED
    assert complaint.status == S.HANDLING
    assert verbs(complaint)[-1] == "complaint.plan_rejected"
    with pytest.raises(ValidationError):
        services.decide_plan(plan, user=users["supervisor"], approve=True)


def test_only_approvers_approve(justified, users, depts, senior):
    complaint = justified()
    plan = services.propose_plan(
        complaint, user=users["handler"], department=depts["east_eng"], proposal="p"
    )
    for user in (users["agent"], senior, users["handler"]):
        with pytest.raises(PermissionDenied):
            services.decide_plan(plan, user=user, approve=True)
    plan.refresh_from_db()
    assert plan.status == ResolutionPlan.Status.PROPOSED


def test_handler_proposes_only_for_own_department(justified, users, depts):
    complaint = justified()
    with pytest.raises(PermissionDenied):
        services.propose_plan(
            complaint, user=users["handler"], department=depts["finance"], proposal="p"
        )


def test_plan_malformed_amount(justified, users, depts):
    complaint = justified()
    with pytest.raises(ValidationError) as exc:
        services.propose_plan(
            complaint,
            user=users["supervisor"],
            department=depts["east_eng"],
            proposal="",
            compensation_amount="abc",
        )
    assert set(exc.value.message_dict) == {"proposal", "compensation_amount"}
    with pytest.raises(ValidationError) as exc:
        services.propose_plan(
            complaint,
            user=users["supervisor"],
            department=depts["east_eng"],
            proposal="p",
            compensation_amount="-5",
        )
    assert ResolutionPlan.objects.count() == 0


def test_severe_complaint_reports_leadership_and_needs_manager(justified, users, depts):
    complaint = justified(severity=Severity.PRESS)
    note = Notification.objects.get(user=users["manager"])
    assert complaint.number in note.title
    assert note.level == Notification.Level.DANGER
    assert not Notification.objects.filter(user=users["supervisor"]).exists()
    plan = services.propose_plan(
        complaint, user=users["supervisor"], department=depts["east_eng"], proposal="登报致歉"
    )
    with pytest.raises(PermissionDenied):
        services.decide_plan(plan, user=users["supervisor"], approve=True)
    services.decide_plan(plan, user=users["manager"], approve=True, comment="同意")
    complaint.refresh_from_db()
    assert complaint.status == S.EXECUTING


def test_ordinary_complaint_does_not_notify(register):
    register()
    assert Notification.objects.count() == 0


def test_root_cause_and_corrective_action(justified, users, senior):
    complaint = justified()
    services.set_root_cause(complaint, user=users["supervisor"], root_cause="派工未考虑路程时间")
    due = timezone.localdate() + timedelta(days=14)
    action = services.add_corrective_action(
        complaint,
        user=users["supervisor"],
        description="派工系统加入路程预估",
        owner=senior,
        due_date=due,
    )
    with pytest.raises(PermissionDenied):
        services.verify_action(action, user=users["agent"], verification="x")
    with pytest.raises(ValidationError):
        services.verify_action(action, user=users["supervisor"], verification=" ")
    action = services.verify_action(
        action, user=users["supervisor"], verification="抽查10单均按时到达"
    )
    assert action.verified_by == users["supervisor"]
    assert verbs(complaint)[-3:] == [
        "complaint.root_cause",
        "complaint.action_planned",
        "complaint.action_verified",
    ]


def test_corrective_action_malformed(justified, users):
    complaint = justified()
    with pytest.raises(ValidationError) as exc:
        services.add_corrective_action(
            complaint, user=users["supervisor"], description="", owner=None, due_date=None
        )
    assert set(exc.value.message_dict) == {"description", "owner", "due_date"}
    assert CorrectiveAction.objects.count() == 0


def test_visibility_by_unit(register, users, supervisor_west):
    complaint = register()
    assert complaint in services.visible_complaints(users["supervisor"])
    assert complaint in services.visible_complaints(users["manager"])
    assert complaint not in services.visible_complaints(supervisor_west)


def test_wrong_state_refused(register, users, depts):
    complaint = register()
    with pytest.raises(ValidationError) as exc:
        services.record_result(complaint, user=users["agent"], result="r")
    assert "status" in exc.value.message_dict
