"""Signals of the process engine, for apps that keep state beside a record
(SLA clocks, say) without the engine knowing about them."""

from django.dispatch import Signal

# Sent inside the transition's transaction, after the subject is saved, with
# subject, transition, previous_state and user.
transition_taken = Signal()
