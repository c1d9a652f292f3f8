from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from kefu.core.notifications import Notification


@login_required
def home(request):
    """Department staff start in their inbox, everyone else at the workbench."""
    if request.user.is_handler:
        return redirect("workorders:inbox")
    return redirect("workorders:workbench")


@login_required
def notifications(request):
    """The user's notifications, newest first; POST marks them all read."""
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "core/notifications.html", {"notifications": mine[:200]})
