"""Who may open the complaint pages: center staff and department staff (who
propose plans and return results); the analytics are for supervisors and QA."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from . import services


def complaint_staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_center_staff or request.user.is_handler):
            raise PermissionDenied(_("You cannot open complaints."))
        return view(request, *args, **kwargs)

    return wrapper


def supervising_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.may_analyse(request.user):
            raise PermissionDenied(_("Complaint analytics are for supervisors and QA."))
        return view(request, *args, **kwargs)

    return wrapper
