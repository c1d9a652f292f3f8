"""REST API of the call center: the PBX's CTI endpoints (authenticated by
the PBX token in the URL) and the staff's read endpoints and state control."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.api import NewestFirstCursorPagination
from kefu.telephony import acd, agents, cti, ivr, records, services, zammad
from kefu.telephony.models import AgentState, Call, Pbx, Queue
from kefu.telephony.serializers import (
    AgentStateSerializer,
    CallSerializer,
    CtiAnswerSerializer,
    CtiBatchAnswerSerializer,
    CtiEventSerializer,
    QueueSerializer,
    RouteAnswerSerializer,
    RouteRequestSerializer,
    StateChangeSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="Malformed event: {field: [message]}"),
    403: OpenApiResponse(description="Unknown or inactive PBX token"),
}


class PbxView(APIView):
    """Base of the endpoints a PBX calls: no user, the token names the PBX."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def pbx(self) -> Pbx:
        return services.pbx_for_token(self.kwargs["token"])


class CtiEventView(PbxView):
    @extend_schema(
        summary="Post a call event (Kefu CTI, or Zammad Generic CTI for a Zammad PBX)",
        tags=["cti"],
        request=CtiEventSerializer,
        responses={200: CtiAnswerSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request, token):
        pbx = self.pbx()
        if pbx.protocol == Pbx.Protocol.ZAMMAD:
            return Response(zammad.handle(pbx, request.data))
        data = request.data
        if hasattr(data, "dict"):
            data = data.dict()
        return Response(cti.answer_for(cti.receive(pbx, cti.parse_event(data))))


class CtiBatchView(PbxView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Post up to 500 call events at once (Kefu CTI format), in one transaction",
        description=(
            "An answer per event, in order: applied, duplicate, or error with its messages. "
            "A malformed event does not stop the others."
        ),
        tags=["cti"],
        request=CtiEventSerializer(many=True),
        responses={
            200: CtiBatchAnswerSerializer(many=True),
            400: OpenApiResponse(description="Not a list of 1 to 500 events: {events: [message]}"),
            403: ERRORS[403],
        },
        auth=[],
    )
    def post(self, request, token):
        return Response(cti.receive_batch(self.pbx(), request.data))


class ZammadView(PbxView):
    @extend_schema(
        summary="Zammad Generic CTI events (newCall, answer, hangup)",
        tags=["cti"],
        request=CtiEventSerializer,
        responses={200: CtiAnswerSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request, token):
        return Response(zammad.handle(self.pbx(), request.data))


class RouteView(PbxView):
    @extend_schema(
        summary="Where to send a call: agent, queue (ask again), voicemail, message or reject",
        tags=["cti"],
        request=RouteRequestSerializer,
        responses={200: RouteAnswerSerializer, **ERRORS},
        auth=[],
    )
    def post(self, request, token):
        pbx = self.pbx()
        data = request.data
        if hasattr(data, "dict"):
            data = data.dict()
        return Response(acd.route(pbx, data))


class IvrExportView(PbxView):
    @extend_schema(
        summary="The IVR menu tree of the PBX's unit, for the PBX",
        tags=["cti"],
        responses={200: OpenApiResponse(description="{menus: [...]}"), 403: ERRORS[403]},
        auth=[],
    )
    def get(self, request, token):
        return Response(ivr.export_for_unit(self.pbx().unit))


class CallPagination(NewestFirstCursorPagination):
    ordering = ("-offered_at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Call records (CDR), newest first: an agent's own calls, a supervisor's units'",
        tags=["calls"],
    ),
    retrieve=extend_schema(summary="A call record", tags=["calls"]),
)
class CallViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Call.objects.none()
    serializer_class = CallSerializer
    pagination_class = CallPagination

    def get_queryset(self):
        return records.calls_for(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="ACD queues (skill groups)", tags=["calls"]),
    retrieve=extend_schema(summary="A queue", tags=["calls"]),
)
class QueueViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Queue.objects.none()
    serializer_class = QueueSerializer

    def get_queryset(self):
        return services.visible_queues(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Agents' states (yours; a supervisor's unit)", tags=["calls"]),
    create=extend_schema(
        summary="Change an agent's state (ready, not ready with a reason, logged out)",
        tags=["calls"],
        request=StateChangeSerializer,
        responses={201: AgentStateSerializer},
    ),
)
class AgentStateViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = AgentState.objects.none()
    serializer_class = AgentStateSerializer

    def get_queryset(self):
        return services.visible_agent_states(self.request.user).order_by("agent_id")

    def get_serializer_class(self):
        return StateChangeSerializer if self.action == "create" else AgentStateSerializer

    def create(self, request, *args, **kwargs):
        serializer = StateChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agent = request.user
        if data.get("agent"):
            agent = get_object_or_404(get_user_model(), pk=data["agent"])
        state = agents.change_state(
            user=request.user,
            agent=agent,
            status=data["status"],
            reason=data.get("reason", ""),
            extension=data.get("extension"),
        )
        return Response(AgentStateSerializer(state).data, status=201)


class WallboardView(APIView):
    @extend_schema(
        summary="The wallboard now: queues, waiting calls, agents by state, today's figures",
        tags=["calls"],
        responses={200: OpenApiResponse(description="Wallboard snapshot")},
    )
    def get(self, request):
        if not request.user.is_center_staff:
            raise PermissionDenied(_("The wallboard is for the service center's staff."))
        return Response(services.wallboard(request.user))
