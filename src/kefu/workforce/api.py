"""REST API of workforce planning: forecasts with their staffing plan (read),
roster shifts (planners set and remove them) and leave requests (agents ask,
planners decide, record absences and cancel), narrowed to the caller's units.
The rules are those of ``leave`` and ``rosters``; this module only translates."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from kefu.core.models import User
from kefu.core.serializers import DateTimeField, IdField
from kefu.telephony.models import Queue

from . import leave as leave_rules
from . import rosters
from .models import Forecast, ForecastInterval, LeaveRequest, Roster, Shift
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


class ShiftWriteSerializer(serializers.Serializer):
    """A hand edit of a roster: the agent's shift on a day (it replaces that day's)."""

    week_start = serializers.DateField(help_text="Monday of the roster's week")
    unit = IdField(help_text="The roster's unit")
    agent = IdField()
    day = serializers.DateField()
    template = serializers.SlugField(help_text="Shift template code")
    queue = IdField(required=False, allow_null=True)


class LeaveWriteSerializer(serializers.Serializer):
    """A leave request; ``agent`` is for a planner filing for an agent of
    their unit, and the kind ``absence`` is recorded (approved) by a planner."""

    kind = serializers.ChoiceField(choices=LeaveRequest.Kind.choices)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    agent = IdField(required=False, allow_null=True)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


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
class ShiftViewSet(mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ShiftSerializer
    pagination_class = Pages

    @extend_schema(
        summary="Set an agent's shift on a day of a roster (planners)",
        tags=["workforce"],
        request=ShiftWriteSerializer,
        responses={201: ShiftSerializer},
    )
    def create(self, request):
        data = _valid(ShiftWriteSerializer, request)
        roster = get_object_or_404(
            visible(Roster.objects.all(), request.user),
            unit_id=data["unit"],
            week_start=data["week_start"],
        )
        shift = rosters.set_shift(
            user=request.user,
            roster=roster,
            agent=_found(visible(User.objects.all(), request.user), data["agent"], "agent"),
            day=data["day"],
            template=_template(roster, data["template"]),
            queue=_found(Queue.objects.all(), data.get("queue"), "queue"),
        )
        return Response(ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a shift from a roster (planners)", tags=["workforce"])
    def destroy(self, request, pk=None):
        rosters.remove_shift(user=request.user, shift=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

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

    @extend_schema(
        summary="Ask for leave, or record an absence (planners)",
        tags=["workforce"],
        request=LeaveWriteSerializer,
        responses={201: LeaveSerializer},
    )
    def create(self, request):
        data = _valid(LeaveWriteSerializer, request)
        agent = (
            _found(visible(User.objects.all(), request.user), data["agent"], "agent")
            if data.get("agent")
            else request.user
        )
        values = {
            "user": request.user,
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "reason": data["reason"],
        }
        if data["kind"] == LeaveRequest.Kind.ABSENCE:
            leave = leave_rules.record_absence(agent=agent, **values)
        else:
            leave = leave_rules.request_leave(agent=agent, kind=data["kind"], **values)
        return Response(LeaveSerializer(leave).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve):
        note = _valid(DecisionSerializer, request)["note"]
        leave = leave_rules.decide_leave(
            user=request.user, leave=self.get_object(), approve=approve, note=note
        )
        return Response(LeaveSerializer(leave).data)

    @extend_schema(
        summary="Approve a pending request (planners)",
        tags=["workforce"],
        request=DecisionSerializer,
        responses={200: LeaveSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(
        summary="Reject a pending request, saying why (planners)",
        tags=["workforce"],
        request=DecisionSerializer,
        responses={200: LeaveSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)

    @extend_schema(
        summary="Cancel a request (the agent while pending, a planner at any time)",
        tags=["workforce"],
        request=None,
        responses={200: LeaveSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        leave = leave_rules.cancel_leave(user=request.user, leave=self.get_object())
        return Response(LeaveSerializer(leave).data)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _template(roster, code):
    """Codes are unique within a unit's set of templates, not across units."""
    template = next((t for t in rosters.templates_for(roster.unit) if t.code == code), None)
    if template is None:
        raise serializers.ValidationError(
            {"template": [_("This shift template is not used in this unit.")]}
        )
    return template


def _found(queryset, value, field):
    """The row ``value`` names, or a field error (not a 404: the URL is right, the body is not)."""
    if value is None:
        return None
    row = queryset.filter(pk=value).first()
    if row is None:
        raise serializers.ValidationError({field: [_("Not found, or not yours to use.")]})
    return row
