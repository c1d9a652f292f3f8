from django.core.management.base import BaseCommand

from kefu.sla.services import sweep


class Command(BaseCommand):
    help = "Run one SLA sweep now (the worker runs it every minute)."

    def handle(self, *args, **options):
        stats = sweep()
        self.stdout.write(
            "warned={warned} breached={breached} escalated={escalated}".format(**stats)
        )
