"""Load the Chinese demo (see ``kefu.demo``) into an empty database."""

from django.core.management.base import BaseCommand, CommandError

from kefu.core.models import User
from kefu.demo.loader import load_demo
from kefu.demo.organisation import PASSWORD


class Command(BaseCommand):
    help = (
        "Load a Chinese demo: a property group and an after-sales hotline with staff in every "
        "role, customers, and months of work orders in every state of the closed loop."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has users (for repeated `make run`)",
        )
        parser.add_argument(
            "--orders", type=int, default=3000, help="requests to simulate (default 3000)"
        )
        parser.add_argument(
            "--customers", type=int, help="customers to create (default: half the orders)"
        )
        parser.add_argument("--days", type=int, default=92, help="days of history (default 92)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    def handle(self, *args, **options):
        if User.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already has users: demo not loaded.")
                return
            raise CommandError(
                "The database already has users. Load the demo into an empty database "
                "(or pass --if-empty to skip quietly)."
            )
        for name in ("orders", "days"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["customers"] is not None and options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        self.stdout.write(
            f"Loading the demo ({options['orders']} requests over {options['days']} days)…"
        )
        summary = load_demo(
            orders=options["orders"],
            customers=options["customers"],
            days=options["days"],
            seed=options["seed"],
        )
        stats, counts = summary.stats, summary.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {summary.seconds:.0f} s: {counts['customers']} customers, "
                f"{counts['contacts']} contacts, {counts['orders']} work orders "
                f"({counts['open']} open), {counts['events']} timeline events."
            )
        )
        self.stdout.write(
            f"{stats['walked']} requests went through the services and the process engine step "
            f"by step, {stats['replayed']} were replayed in bulk (see kefu/demo/replay.py)."
        )
        self.stdout.write(f"\nLogins (password for all: {PASSWORD}):")
        for user in summary.organisation.logins:
            where = user.department.name if user.department_id else user.unit.name
            self.stdout.write(
                f"  {user.username:<14} {user.get_full_name():<6} 工号 {user.agent_no:<6} "
                f"{user.get_role_display()} · {where}"
            )
