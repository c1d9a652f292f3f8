"""The complaint module listens to the callback module: the mandatory
callback's result closes the complaint or sends it back to handling."""

from kefu.callbacks.signals import callback_completed


def callback_done(sender, subject=None, satisfaction="", note="", user=None, **kwargs):
    from kefu.complaints import services
    from kefu.complaints.models import Complaint

    # A callback that did not reach the customer has no satisfaction yet.
    if not isinstance(subject, Complaint) or not satisfaction:
        return
    complaint = Complaint.objects.get(pk=subject.pk)
    if complaint.status != Complaint.Status.AWAITING_CALLBACK:
        return
    services.record_callback(complaint, user=user, satisfaction=satisfaction, note=note)


def connect():
    callback_completed.connect(callback_done, dispatch_uid="complaints.callback_done")
