from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from kefu.workorders.services import visible_orders


@login_required
def workbench(request):
    return render(request, "workorders/workbench.html", {})


@login_required
def order_list(request):
    orders = visible_orders(request.user).select_related("state", "order_type", "customer")[:50]
    return render(request, "workorders/list.html", {"orders": orders})


@login_required
def inbox(request):
    orders = visible_orders(request.user).select_related("state", "order_type")[:50]
    return render(request, "workorders/inbox.html", {"orders": orders})


@login_required
def detail(request, pk):
    order = get_object_or_404(visible_orders(request.user), pk=pk)
    return render(request, "workorders/detail.html", {"order": order})
