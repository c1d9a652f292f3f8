"""Glue to the callback module: its ``callback_completed`` signal moves a
complaint that waits for its callback."""

from django.dispatch import receiver

from kefu.callbacks.signals import callback_completed

from . import services


@receiver(callback_completed, dispatch_uid="complaints.callback_completed")
def on_callback_completed(sender, subject=None, satisfaction="", note="", user=None, **kwargs):
    services.callback_completed(subject=subject, satisfaction=satisfaction, note=note, user=user)
