"""API plumbing shared by every app: errors as JSON with field messages."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kefu.processes.engine import TransitionError


def _validation_payload(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc, context):
    """Turn the domain's exceptions into the API's JSON errors:
    ``{"field": ["message"]}`` for invalid fields, ``{"detail": "..."}`` otherwise."""
    if isinstance(exc, TransitionError):
        status_code = {
            "forbidden": status.HTTP_403_FORBIDDEN,
            "unknown": status.HTTP_404_NOT_FOUND,
            "state": status.HTTP_409_CONFLICT,
        }.get(exc.code, status.HTTP_400_BAD_REQUEST)
        payload = {"detail": exc.message, "code": exc.code}
        payload.update(exc.field_errors)
        return Response(payload, status=status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(_validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
