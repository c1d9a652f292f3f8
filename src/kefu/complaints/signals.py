"""What the complaint module announces.

``complaint_awaiting_callback``: sent with ``sender=Complaint`` when a
complaint's result has been given to the customer and the mandatory
callback is due, with keyword arguments ``complaint`` (it has ``customer``,
``unit``, ``number``, ``work_order`` and ``get_absolute_url()``), ``due_at``
and ``user``. The callback module creates the callback task; its
``callback_completed`` signal brings the result back."""

from django.dispatch import Signal

complaint_awaiting_callback = Signal()
