"""REST API of workforce planning (read-only): forecasts with their staffing
plan, roster shifts and leave requests, narrowed to the caller's units."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import LimitOffsetPagination

from .models import Forecast, ForecastInterval, LeaveRequest, Shift
from .permissions import is_planner, visible


class IntervalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForecastInterval
        fields = ["starts_at", "volume", "aht_seconds", "agents", "required"]


class ForecastSerializer(serializers.ModelSerializer):
    intervals = IntervalSerializer(many=True, read_only=True)

    class Meta:
        model = Forecast
        fields = [
            "id",
            "unit",
            "queue",
            "channel",
            "starts_on",
            "days",
            "interval_minutes",
            "history_weeks",
            "mape",
            "target_seconds",
            "target_level",
            "shrinkage",
            "max_occupancy",
            "patience_seconds",
            "created_at",
            "intervals",
        ]


class ShiftSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="code", read_only=True)
    week_start = serializers.DateField(source="roster.week_start", read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "agent",
            "day",
            "week_start",
            "template",
            "queue",
            "starts_at",
            "ends_at",
            "break_starts_at",
            "break_ends_at",
            "source",
            "leave",
        ]


class LeaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "number",
            "unit",
            "agent",
            "kind",
            "starts_at",
            "ends_at",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class Pages(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


@extend_schema_view(
    list=extend_schema(summary="Forecasts with their staffing plan", tags=["workforce"]),
    retrieve=extend_schema(summary="A forecast", tags=["workforce"]),
)
class ForecastViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ForecastSerializer
    pagination_class = Pages

    def get_queryset(self):
        if not is_planner(self.request.user):
            raise PermissionDenied(_("Forecasts are for team leads, supervisors and managers."))
        return visible(Forecast.objects.prefetch_related("intervals"), self.request.user).order_by(
            "-id"
        )


@extend_schema_view(
    list=extend_schema(
        summary="Roster shifts (an agent sees their own)",
        tags=["workforce"],
        parameters=[OpenApiParameter("week", str, description="Monday of the week (YYYY-MM-DD)")],
    ),
    retrieve=extend_schema(summary="A shift", tags=["workforce"]),
)
class ShiftViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ShiftSerializer
    pagination_class = Pages

    def get_queryset(self):
        user = self.request.user
        shifts = Shift.objects.select_related("template", "roster").order_by(
            "day", "starts_at", "id"
        )
        shifts = (
            visible(shifts, user, "roster__unit") if is_planner(user) else shifts.filter(agent=user)
        )
        week = (
            serializers.DateField().to_internal_value(self.request.query_params["week"])
            if self.request.query_params.get("week")
            else None
        )
        return shifts.filter(roster__week_start=week) if week else shifts


@extend_schema_view(
    list=extend_schema(summary="Leave requests (an agent sees their own)", tags=["workforce"]),
    retrieve=extend_schema(summary="A leave request", tags=["workforce"]),
)
class LeaveViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LeaveSerializer
    pagination_class = Pages

    def get_queryset(self):
        user = self.request.user
        items = LeaveRequest.objects.order_by("-starts_at", "-id")
        return visible(items, user) if is_planner(user) else items.filter(agent=user)
