"""What the callback module announces.

``callback_completed``: sent with ``sender=CallbackTask`` after a callback
task's result was stored (transaction committed), with keyword arguments
``task``, ``subject`` (the record the callback was about: a work order, a
complaint, a call, or None), ``satisfaction`` (a
``kefu.core.choices.Satisfaction`` value or ""), ``note`` (what the customer
said) and ``user`` (who called). A module whose records need a callback
before closing (complaints, work orders) listens and moves its record on."""

from django.dispatch import Signal

callback_completed = Signal()
