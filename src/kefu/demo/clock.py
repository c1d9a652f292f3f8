"""A simulated clock for writing history through the real services.

The demo registers orders months ago and walks them through the process
engine. Every service stamps what it writes with ``django.utils.timezone.now``
(directly, through ``auto_now`` or a field's ``default``), and so do the
apps listening to them (SLA clocks, notifications, numbering by day). While
the clock is installed they all read the simulated moment instead, so the
history is consistent across every app without the demo knowing their
fields. Only the demo installs it, in one thread, and always uninstalls it.
"""

from contextlib import contextmanager

from django.apps import apps
from django.utils import timezone


class SimulatedClock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    @contextmanager
    def installed(self):
        real_now = timezone.now
        fields = [
            f
            for model in apps.get_models()
            for f in model._meta.local_fields
            if f.default is real_now
        ]
        timezone.now = self
        self._set_defaults(fields, self)
        try:
            yield self
        finally:
            timezone.now = real_now
            self._set_defaults(fields, real_now)

    @staticmethod
    def _set_defaults(fields, now):
        for f in fields:
            f.default = now
            # Field caches the callable it returns from get_default().
            f.__dict__.pop("_get_default", None)
