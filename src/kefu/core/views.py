from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Department staff start in their inbox, everyone else at the workbench."""
    if request.user.is_handler:
        return redirect("workorders:inbox")
    return redirect("workorders:workbench")
