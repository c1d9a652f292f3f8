"""``load_demo``: the whole demo in one transaction, deterministic for a seed."""

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from kefu.contacts.models import Contact
from kefu.core.models import TimelineEvent
from kefu.customers.models import Customer
from kefu.demo.clock import SimulatedClock
from kefu.demo.history import History, arrival_times
from kefu.demo.organisation import DEMO_LAYOUT, Organisation, build_organisation
from kefu.demo.population import Population
from kefu.workorders.models import WorkOrder

# Share of customers and of the traffic per site of DEMO_LAYOUT.
SITE_SHARES = {"sunshine": 0.37, "jinxiu": 0.30, "hotline": 0.33}
# The engine and its listeners take tens of milliseconds a step; walking
# every order would make `make run` take minutes. The orders still open and
# this share of the closed ones go through the real services, the rest
# through kefu.demo.replay.
WALK_SHARE = 0.05


def load_module_demos(organisation, rng, now):
    """Modules built on the closed loop bring their own demo data: an app's
    ``demo`` module with ``load(organisation, rng, now)`` runs after the
    history, in INSTALLED_APPS order, inside the same transaction."""
    for config in apps.get_app_configs():
        if not config.name.startswith("kefu.") or config.name == "kefu.demo":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
            continue
        module.load(organisation, rng, now)


@dataclass
class DemoSummary:
    organisation: Organisation
    seconds: float
    stats: dict  # requests walked and replayed, steps taken
    counts: dict  # rows in the database


def load_demo(
    *, orders=3000, customers=None, days=92, seed=2026, walk_share=WALK_SHARE
) -> DemoSummary:
    """``orders`` requests over the last ``days`` days (about 6% of them end
    as a contact without an order) from ``customers`` customers (default
    half the orders)."""
    started = time.monotonic()
    customers = customers if customers is not None else max(30, orders // 2)
    rng = random.Random(seed)
    now = timezone.now()
    # Staff joined a year before the history starts.
    clock = SimulatedClock(now - timedelta(days=days + 365))
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic(), clock.installed():
        organisation = build_organisation(DEMO_LAYOUT, rng)
        population = Population(rng, clock, now)
        households = {
            staff.site.code: population.households(
                staff,
                max(5, round(customers * SITE_SHARES[staff.site.code])),
                actor=staff.agents[-1],
            )
            for staff in organisation.sites
        }
        sites = organisation.sites
        weights = [SITE_SHARES[s.site.code] for s in sites]
        arrivals = [
            (moment, rng.choices(sites, weights)[0])
            for moment in arrival_times(rng, orders, days=days, now=now)
        ]
        history = History(rng, clock, now)
        history.make_orders(arrivals, households, walk_share=walk_share)
        load_module_demos(organisation, rng, now)
    return DemoSummary(
        organisation=organisation,
        seconds=time.monotonic() - started,
        stats=history.stats,
        counts={
            "customers": Customer.objects.count(),
            "contacts": Contact.objects.count(),
            "orders": WorkOrder.objects.count(),
            "open": WorkOrder.objects.filter(closed_at__isnull=True).count(),
            "events": TimelineEvent.objects.count(),
        },
    )
