"""The complaint's service-level promises (SPEC §2.4: handled within 48
hours; an outside party replies within 3 days and closes within 10) run on
the SLA engine. The targets are the complaint SLA policy's; this module says
when each promise starts and when it is kept."""

from django.utils import timezone

from kefu.complaints.models import Complaint
from kefu.core.models import Department
from kefu.sla import services as sla
from kefu.sla.models import Metric

Status = Complaint.Status

# Started at registration, from the moment the complaint was received.
AT_REGISTRATION = (Metric.FIRST_RESPONSE, Metric.RESOLUTION)
# Started when an outside party is found responsible.
OUTSIDE_PARTY = (Metric.OUTSIDE_REPLY, Metric.OUTSIDE_CLOSE)

# The promises kept once a complaint reaches a status. The first response is
# the judgement; handling ends when the customer is told the result; the
# outside party has replied once a plan is decided and closed its part once
# the result is back.
KEPT_AT = {
    Status.HANDLING: (Metric.FIRST_RESPONSE,),
    Status.AWAITING_MANAGER: (Metric.FIRST_RESPONSE, Metric.OUTSIDE_REPLY),
    Status.EXECUTING: (Metric.FIRST_RESPONSE, Metric.OUTSIDE_REPLY),
    Status.RESULT_RETURNED: (Metric.FIRST_RESPONSE, *OUTSIDE_PARTY),
    Status.AWAITING_CALLBACK: (Metric.FIRST_RESPONSE, Metric.RESOLUTION, *OUTSIDE_PARTY),
    Status.CLOSED: (*AT_REGISTRATION, *OUTSIDE_PARTY),
}

# A dissatisfied callback sends the complaint back to handling: the handling
# time (and the outside party's, if one is responsible) goes on.
REOPENED_WHEN_DISSATISFIED = (Metric.RESOLUTION, Metric.OUTSIDE_CLOSE)


def registered(complaint):
    sla.start_subject_clocks(complaint, AT_REGISTRATION, now=complaint.received_at)


def judged_justified(complaint, now=None):
    department = complaint.responsible_department
    if department is not None and department.kind == Department.Kind.EXTERNAL:
        sla.start_subject_clocks(complaint, OUTSIDE_PARTY, now=now)


def plan_proposed(complaint, plan, now=None):
    """A proposal from the responsible outside party is its reply."""
    if plan.department_id == complaint.responsible_department_id:
        sla.stop_clocks(complaint, (Metric.OUTSIDE_REPLY,), now=now)


def moved(complaint, previous_status, now=None):
    now = now or timezone.now()
    if previous_status == Status.AWAITING_CALLBACK and complaint.status == Status.HANDLING:
        for metric in REOPENED_WHEN_DISSATISFIED:
            sla.reopen_clock(complaint, metric, now=now)
        return
    kept = KEPT_AT.get(complaint.status)
    if kept:
        sla.stop_clocks(complaint, kept, now=now)
