"""What the telephony module announces; the agent desktop, callbacks and
messaging listen. Every signal is sent after the transaction that stored
the change has committed, with ``sender=Call`` (or ``AgentState``)."""

from django.dispatch import Signal

# call=Call: a call reached the center (before routing).
call_offered = Signal()
# call=Call: the call waits in a queue (a queued event, or a transfer to a queue).
call_queued = Signal()
# call=Call, agent=User: the call is ringing at an agent (screen pop).
call_ringing = Signal()
# call=Call, agent=User
call_answered = Signal()
# call=Call: any end; call.disposition tells answered, abandoned, voicemail...
call_ended = Signal()
# agent=User, state=AgentState, previous=str (the status before)
agent_state_changed = Signal()
