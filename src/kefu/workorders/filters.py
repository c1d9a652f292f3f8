"""Query parameters of the work-order list. They are validated here; the
filtering itself is the work-order service's (``filter_orders``), the same
as the web list's."""

import django_filters

from kefu.core.api import DayFilter, FlagFilter, IdFilter, NaturalKeyFilter
from kefu.core.choices import Channel
from kefu.workorders import services
from kefu.workorders.models import Priority, WorkOrder, WorkOrderType


class WorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Keyword in the number, title or customer name")
    number = django_filters.CharFilter(label="Exact work-order number")
    state = django_filters.CharFilter(label="State code (e.g. dispatched)")
    type = NaturalKeyFilter(
        queryset=WorkOrderType.objects.all(), to_field_name="code", label="Work-order type code"
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    department = IdFilter(label="Responsible department id")
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    customer = IdFilter(label="Customer id")
    created_after = DayFilter(label="Registered on or after this day")
    created_before = DayFilter(label="Registered on or before this day")
    overdue = FlagFilter(label="Only orders past their deadline")
    mine = FlagFilter(label="Only orders I registered or handle")

    class Meta:
        model = WorkOrder
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        queryset = services.filter_orders(
            queryset,
            user=self.request.user,
            q=data.get("q") or "",
            state=data.get("state") or "",
            order_type=data.get("type"),
            priority=data.get("priority") or "",
            department=data.get("department"),
            channel=data.get("channel") or "",
            date_from=data.get("created_after"),
            date_to=data.get("created_before"),
            overdue=bool(data.get("overdue")),
            mine=bool(data.get("mine")),
        )
        if data.get("customer") is not None:
            queryset = queryset.filter(customer_id=data["customer"])
        if data.get("number"):
            queryset = queryset.filter(number=data["number"].strip())
        return queryset
