"""Effects a work-order transition may run after moving the order (see
``Transition.effects``), by name."""

from datetime import timedelta

from django.utils import timezone


def set_dispatch_deadline(order, user, values, transition):
    now = timezone.now()
    order.dispatched_at = now
    order.due_at = now + timedelta(hours=order.department.deadline_hours)
    order.assignee = None


def take(order, user, values, transition):
    if user.is_handler:
        order.assignee = user


def mark_resolved(order, user, values, transition):
    order.resolved_at = timezone.now()


def close(order, user, values, transition):
    order.closed_at = timezone.now()


def reopen(order, user, values, transition):
    order.reopen_count += 1
    order.resolved_at = None
    order.closed_at = None


def clear_department(order, user, values, transition):
    order.department = None
    order.assignee = None
    order.dispatched_at = None
    order.due_at = None


def record_callback(order, user, values, transition):
    order.callback_at = timezone.now()
    order.callback_by = user


PROCESS_EFFECTS = {
    f.__name__: f
    for f in (
        set_dispatch_deadline,
        take,
        mark_resolved,
        close,
        reopen,
        clear_department,
        record_callback,
    )
}
