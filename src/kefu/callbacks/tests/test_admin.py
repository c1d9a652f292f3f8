from django.urls import reverse

from kefu.core.roles import Role
from kefu.factories import UserFactory


def test_admin_pages_open(client, org, make_task):
    make_task()
    admin = UserFactory(role=Role.ADMIN, unit=org["hq"], is_staff=True, is_superuser=True)
    client.force_login(admin)
    for model in ("callbackpolicy", "callbackscript", "quietperiod", "callbackskill",
                  "callbacktask", "spotcheck"):  # fmt: skip
        assert client.get(reverse(f"admin:callbacks_{model}_changelist")).status_code == 200
    for model in ("smstemplate", "optout", "smsmessage", "inboundsms", "satisfactionrequest"):
        assert client.get(reverse(f"admin:messaging_{model}_changelist")).status_code == 200
