"""kefu simulate: drive the CTI interface with simulated traffic."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kefu.core.models import OrgUnit
from kefu.desk import simulated, simulator
from kefu.workforce import erlang


class Command(BaseCommand):
    help = (
        "Simulate call traffic (Poisson arrivals, exponential handle times and patience) "
        "through Kefu's CTI interface, and compare the service level with Erlang C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agents", type=int, default=10)
        parser.add_argument("--calls-per-hour", type=float, default=160)
        parser.add_argument("--aht", type=float, default=180, help="mean handle time, seconds")
        parser.add_argument(
            "--patience", type=float, default=120, help="mean patience, seconds (0: never abandon)"
        )
        parser.add_argument("--hours", type=float, default=1)
        parser.add_argument("--target", type=float, default=10, help="service-level target, s")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--unit", default="", help="unit code (default: the root unit)")
        parser.add_argument(
            "--url", default="", help="post to this CTI URL over HTTP instead of in-process"
        )
        parser.add_argument("--dry-run", action="store_true", help="measure only, write nothing")

    def handle(self, *args, **options):
        config = simulator.Config(
            agents=options["agents"],
            calls_per_hour=options["calls_per_hour"],
            aht_seconds=options["aht"],
            patience_seconds=options["patience"] or None,
            hours=options["hours"],
            target_seconds=options["target"],
            seed=options["seed"],
        )
        if config.agents < 1 or config.calls_per_hour <= 0 or config.aht_seconds <= 0:
            raise CommandError("agents, calls per hour and handle time must be positive")
        start = timezone.now() - timedelta(hours=config.hours)
        if options["dry_run"]:
            sink = simulator.NullSink()
        elif options["url"]:
            sink = simulator.HttpSink(options["url"])
        else:
            unit = self._unit(options["unit"])
            pbx, queue = simulated.setup(unit)
            config.queue = queue.code
            sink = simulator.ServiceSink(pbx, queue)
        result = simulator.run(config, sink, start=start)
        predicted = erlang.service_level(
            config.agents, config.traffic, config.target_seconds, config.aht_seconds
        )
        self.stdout.write(
            f"offered {result.offered}, answered {result.answered}, abandoned {result.abandoned}, "
            f"events {result.events}\n"
            f"load {config.traffic:.2f} erlangs on {config.agents} agents\n"
            f"service level {_pct(result.service_level)} "
            f"(Erlang C without abandonment: {_pct(predicted)}), "
            f"abandon rate {_pct(result.abandon_rate)}, ASA {result.asa or 0:.1f} s"
        )

    def _unit(self, code):
        units = OrgUnit.objects.all()
        unit = units.filter(code=code).first() if code else units.filter(parent=None).first()
        if unit is None:
            raise CommandError(f"no unit {code!r}: load the demo or name an existing unit")
        return unit


def _pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"
