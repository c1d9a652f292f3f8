"""View decorators shared by the apps' web views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def center_staff_required(view):
    """A page of the service center itself: department staff get a 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_center_staff:
            raise PermissionDenied(_("This page is for service-center staff only."))
        return view(request, *args, **kwargs)

    return wrapper
