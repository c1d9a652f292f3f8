from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kefu.callbacks.signals import callback_completed
from kefu.complaints import services
from kefu.complaints.models import Complaint, CorrectiveAction, ResolutionPlan
from kefu.complaints.signals import complaint_awaiting_callback
from kefu.core.choices import Satisfaction
from kefu.core.notifications import Notification
from kefu.core.timeline import events_for
from kefu.customers.models import Customer

pytestmark = pytest.mark.django_db


def verbs(complaint):
    return list(events_for(complaint).order_by("at", "id").values_list("verb", flat=True))


def to_executing(complaint, users, depts):
    plan = services.propose_plan(
        complaint, user=users["handler"], department=depts["east_eng"], content="免费重新上门维修"
    )
    services.approve_plan(plan, user=users["supervisor"], comment="同意，今日安排")
    return plan


def to_callback(complaint, users, depts):
    to_executing(complaint, users, depts)
    services.record_result(complaint, user=users["handler"], result="已重新上门修好")
    return services.inform_customer(complaint, user=users["agent"])


class TestRegister:
    def test_numbers(self, complaint):
        assert complaint.number.startswith("TS")
        assert complaint.status == Complaint.Status.REGISTERED
        assert complaint.complainant_name == "张伟"
        assert verbs(complaint) == ["complaint.registered"]

    def test_creates_customer_file(self, users, category):
        complaint = services.register(
            user=users["agent"],
            category=category,
            channel=Complaint.Channel.VISIT,
            content="柜台排队太久",
            complainant_name="王芳",
            complainant_phone="13900001111",
            create_customer_file=True,
        )
        assert complaint.customer.name == "王芳"
        assert complaint.customer.unit == users["agent"].unit

    def test_complainant_without_file(self, users, category):
        complaint = services.register(
            user=users["agent"],
            category=category,
            channel=Complaint.Channel.LETTER,
            content="来信投诉",
            complainant_name="匿名业主",
        )
        assert complaint.customer is None
        assert not Customer.objects.filter(name="匿名业主").exists()

    def test_malformed_input_writes_nothing(self, users, category):
        with pytest.raises(ValidationError) as error:
            services.register(
                user=users["agent"], category=None, channel="pigeon", content=" ", severity="x"
            )
        assert set(error.value.message_dict) == {
            "category",
            "channel",
            "content",
            "severity",
            "complainant_name",
        }
        assert not Complaint.objects.exists()

    def test_handler_cannot_register(self, users, category):
        with pytest.raises(PermissionDenied):
            services.register(
                user=users["handler"],
                category=category,
                channel=Complaint.Channel.CALL,
                content="x",
                complainant_name="x",
            )

    def test_customer_of_other_unit_refused(self, users, customer, category):
        with pytest.raises(ValidationError) as error:
            services.register(
                user=users["agent_west"],
                customer=customer,
                category=category,
                channel=Complaint.Channel.CALL,
                content="x",
            )
        assert "customer" in error.value.message_dict

    def test_severe_notifies_leadership(self, make_complaint, users, more_users):
        complaint = make_complaint(Complaint.Severity.PRESS)
        notified = set(Notification.objects.values_list("user__username", flat=True))
        assert notified == {"manager_hq", "manager_east"}
        assert Notification.objects.filter(url=complaint.get_absolute_url()).count() == 2

    def test_ordinary_notifies_nobody(self, complaint, more_users):
        assert not Notification.objects.exists()


class TestJudgement:
    def test_unjustified_closes(self, complaint, more_users):
        services.judge_unjustified(
            complaint, user=more_users["senior"], explanation="已向客户解释保修条款，客户表示理解"
        )
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.CLOSED
        assert complaint.justified is False
        assert complaint.closed_at is not None
        assert verbs(complaint) == ["complaint.registered", "complaint.unjustified"]

    def test_justified(self, justified, depts):
        assert justified.status == Complaint.Status.HANDLING
        assert justified.responsible_department == depts["east_eng"]
        assert justified.investigation_days == 3
        event = events_for(justified).get(verb="complaint.justified")
        assert event.before == {"status": "registered"}
        assert event.after["status"] == "handling"

    def test_agent_cannot_judge(self, complaint, users):
        with pytest.raises(PermissionDenied):
            services.judge_unjustified(complaint, user=users["agent"], explanation="x")

    def test_other_unit_cannot_judge(self, complaint, more_users):
        with pytest.raises(PermissionDenied):
            services.judge_unjustified(
                complaint, user=more_users["supervisor_west"], explanation="x"
            )

    def test_malformed_judgement(self, complaint, users):
        with pytest.raises(ValidationError) as error:
            services.judge_justified(
                complaint,
                user=users["supervisor"],
                responsible_department=None,
                apology="",
                investigation_days="abc",
            )
        assert set(error.value.message_dict) == {
            "responsible_department",
            "apology",
            "investigation_days",
        }
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.REGISTERED
        assert complaint.justified is None

    def test_cannot_judge_twice(self, justified, users):
        with pytest.raises(ValidationError):
            services.judge_unjustified(justified, user=users["supervisor"], explanation="x")


class TestPlans:
    def test_justified_path_with_approval(self, justified, users, depts):
        other = services.propose_plan(
            justified, user=users["supervisor"], department=depts["finance"], content="退款"
        )
        plan = to_executing(justified, users, depts)
        justified.refresh_from_db()
        plan.refresh_from_db()
        other.refresh_from_db()
        assert justified.status == Complaint.Status.EXECUTING
        assert plan.status == ResolutionPlan.Status.APPROVED
        assert plan.comment == "同意，今日安排"
        assert other.status == ResolutionPlan.Status.PROPOSED
        assert "complaint.plan_approved" in verbs(justified)

    def test_rejection_keeps_handling(self, justified, users, depts):
        plan = services.propose_plan(
            justified, user=users["handler"], department=depts["east_eng"], content="口头道歉"
        )
        services.reject_plan(plan, user=users["supervisor"], comment="力度不够")
        plan.refresh_from_db()
        justified.refresh_from_db()
        assert plan.status == ResolutionPlan.Status.REJECTED
        assert justified.status == Complaint.Status.HANDLING
        event = events_for(justified).get(verb="complaint.plan_rejected")
        assert "力度不够" in event.message
        with pytest.raises(ValidationError):
            services.approve_plan(plan, user=users["supervisor"], comment="x")

    def test_only_approvers_approve(self, justified, users, depts, more_users):
        plan = services.propose_plan(
            justified, user=users["handler"], department=depts["east_eng"], content="x"
        )
        for user in (users["agent"], more_users["senior"], users["handler"]):
            with pytest.raises(PermissionDenied):
                services.approve_plan(plan, user=user, comment="ok")
        with pytest.raises(PermissionDenied):
            services.approve_plan(plan, user=more_users["supervisor_west"], comment="ok")
        plan.refresh_from_db()
        assert plan.status == ResolutionPlan.Status.PROPOSED

    def test_approval_needs_comment(self, justified, users, depts):
        plan = services.propose_plan(
            justified, user=users["handler"], department=depts["east_eng"], content="x"
        )
        with pytest.raises(ValidationError) as error:
            services.approve_plan(plan, user=users["supervisor"], comment=" ")
        assert "comment" in error.value.message_dict

    def test_handler_proposes_only_for_own_department(self, justified, users, depts):
        with pytest.raises(PermissionDenied):
            services.propose_plan(
                justified, user=users["handler"], department=depts["finance"], content="x"
            )

    def test_compensation(self, justified, users):
        comp = services.record_compensation(
            justified, user=users["supervisor"], kind="voucher", amount="200", note="代金券"
        )
        assert str(comp.amount) == "200.00"
        assert comp.approved_by == users["supervisor"]
        with pytest.raises(ValidationError):
            services.record_compensation(
                justified, user=users["supervisor"], kind="voucher", amount="-1"
            )
        with pytest.raises(ValidationError):
            services.record_compensation(
                justified, user=users["supervisor"], kind="gold", amount="1"
            )
        with pytest.raises(PermissionDenied):
            services.record_compensation(justified, user=users["agent"], kind="cash", amount="1")
        assert justified.compensations.count() == 1


class TestSevere:
    def justify(self, complaint, users, depts):
        return services.judge_justified(
            complaint,
            user=users["supervisor"],
            responsible_department=depts["east_eng"],
            apology="抱歉",
            investigation_days=2,
        )

    def test_needs_center_manager(self, make_complaint, users, depts, more_users):
        complaint = self.justify(make_complaint(Complaint.Severity.AUTHORITY), users, depts)
        Notification.objects.all().delete()
        to_executing(complaint, users, depts)
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.AWAITING_MANAGER
        assert Notification.objects.filter(user=users["manager"]).exists()
        with pytest.raises(PermissionDenied):
            services.manager_approve(complaint, user=users["supervisor"])
        services.manager_approve(complaint, user=users["manager"], comment="同意")
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.EXECUTING
        assert complaint.plans.get().manager_approved_by == users["manager"]
        assert "complaint.manager_approved" in verbs(complaint)

    def test_second_round_after_dissatisfied_callback(self, make_complaint, users, depts):
        complaint = self.justify(make_complaint(Complaint.Severity.SERIOUS), users, depts)
        to_executing(complaint, users, depts)
        services.manager_approve(complaint, user=users["manager"])
        services.record_result(complaint, user=users["handler"], result="已处理")
        services.inform_customer(complaint, user=users["agent"])
        services.record_callback(complaint, user=users["callback"], satisfaction="dissatisfied")
        second = to_executing(complaint, users, depts)
        services.manager_approve(complaint, user=users["manager"], comment="再次同意")
        second.refresh_from_db()
        assert second.manager_comment == "再次同意"
        assert complaint.plans.filter(status=ResolutionPlan.Status.APPROVED).count() == 2

    def test_manager_rejects(self, make_complaint, users, depts):
        complaint = self.justify(make_complaint(Complaint.Severity.SERIOUS), users, depts)
        plan = to_executing(complaint, users, depts)
        with pytest.raises(PermissionDenied):
            services.reject_plan(plan, user=users["supervisor"], comment="x")
        services.reject_plan(plan, user=users["manager"], comment="需要更高赔偿")
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.HANDLING

    def test_manager_approving_directly_skips_second_step(self, make_complaint, users, depts):
        complaint = self.justify(make_complaint(Complaint.Severity.PRESS), users, depts)
        plan = services.propose_plan(
            complaint, user=users["handler"], department=depts["east_eng"], content="x"
        )
        services.approve_plan(plan, user=users["manager"], comment="同意")
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.EXECUTING


class TestClosure:
    def test_inform_sends_callback_signal(
        self, justified, users, depts, django_capture_on_commit_callbacks
    ):
        received = []

        def listener(sender, complaint, due_at, user, **kwargs):
            received.append((complaint.pk, due_at, user))

        complaint_awaiting_callback.connect(listener)
        try:
            with pytest.raises(PermissionDenied):
                services.record_result(justified, user=users["handler_west"], result="x")
            with django_capture_on_commit_callbacks(execute=True):
                to_callback(justified, users, depts)
        finally:
            complaint_awaiting_callback.disconnect(listener)
        justified.refresh_from_db()
        assert justified.status == Complaint.Status.AWAITING_CALLBACK
        assert received == [(justified.pk, justified.callback_due_at, users["agent"])]

    def test_satisfied_callback_signal_closes(self, justified, users, depts):
        to_callback(justified, users, depts)
        callback_completed.send(
            sender=None,
            task=None,
            subject=justified,
            satisfaction=Satisfaction.SATISFIED,
            note="满意",
            user=users["callback"],
        )
        justified.refresh_from_db()
        assert justified.status == Complaint.Status.CLOSED
        assert justified.closed_at is not None
        assert verbs(justified)[-1] == "complaint.closed"

    def test_dissatisfied_callback_back_to_handling(self, justified, users, depts):
        to_callback(justified, users, depts)
        callback_completed.send(
            sender=None,
            task=None,
            subject=justified,
            satisfaction=Satisfaction.DISSATISFIED,
            note="问题仍未解决",
            user=users["callback"],
        )
        justified.refresh_from_db()
        assert justified.status == Complaint.Status.HANDLING
        assert justified.closed_at is None
        assert verbs(justified)[-1] == "complaint.callback_dissatisfied"
        # A new plan can now be proposed and approved.
        to_executing(justified, users, depts)
        justified.refresh_from_db()
        assert justified.status == Complaint.Status.EXECUTING

    def test_unreached_callback_changes_nothing(self, justified, users, depts):
        to_callback(justified, users, depts)
        callback_completed.send(
            sender=None, task=None, subject=justified, satisfaction="", note="", user=None
        )
        justified.refresh_from_db()
        assert justified.status == Complaint.Status.AWAITING_CALLBACK

    def test_cannot_close_without_callback(self, justified, users):
        with pytest.raises(ValidationError):
            services.record_callback(justified, user=users["agent"], satisfaction="satisfied")

    def test_manual_callback_malformed(self, justified, users, depts):
        to_callback(justified, users, depts)
        with pytest.raises(ValidationError):
            services.record_callback(justified, user=users["agent"], satisfaction="happy")
        justified.refresh_from_db()
        assert justified.status == Complaint.Status.AWAITING_CALLBACK


class TestRootCause:
    def test_root_cause_and_action_lifecycle(self, justified, users):
        services.record_root_cause(justified, user=users["supervisor"], root_cause="派工排班不合理")
        action = services.add_action(
            justified,
            user=users["supervisor"],
            description="调整排班规则",
            owner=users["handler"],
            due_date=timezone.localdate() + timedelta(days=7),
        )
        with pytest.raises(ValidationError):
            services.verify_action(action, user=users["supervisor"], verification="x")
        with pytest.raises(PermissionDenied):
            services.complete_action(action, user=users["agent"])
        services.complete_action(action, user=users["handler"])
        with pytest.raises(PermissionDenied):
            services.verify_action(action, user=users["handler"], verification="x")
        services.verify_action(action, user=users["supervisor"], verification="两周无迟到投诉")
        action.refresh_from_db()
        assert action.status == CorrectiveAction.Status.VERIFIED
        assert verbs(justified)[-4:] == [
            "complaint.root_cause",
            "complaint.action_added",
            "complaint.action_done",
            "complaint.action_verified",
        ]

    def test_malformed_action(self, justified, users):
        with pytest.raises(ValidationError) as error:
            services.add_action(
                justified,
                user=users["supervisor"],
                description="",
                owner=users["handler_west"],
                due_date=timezone.localdate() - timedelta(days=1),
            )
        assert set(error.value.message_dict) == {"description", "owner", "due_date"}
        assert not CorrectiveAction.objects.exists()
