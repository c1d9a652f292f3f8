from django.urls import reverse

from kefu.core.calendars import BusinessCalendar
from kefu.sla.models import SlaPolicy


def test_operations_support_edits_calendars_and_policies(admin_client, db):
    office = BusinessCalendar.objects.get(code="office")
    assert (
        admin_client.get(
            reverse("admin:core_businesscalendar_change", args=[office.pk])
        ).status_code
        == 200
    )
    policy = SlaPolicy.objects.first()
    assert (
        admin_client.get(reverse("admin:sla_slapolicy_change", args=[policy.pk])).status_code == 200
    )
    assert admin_client.get(reverse("admin:sla_slaclock_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_notification_changelist")).status_code == 200
