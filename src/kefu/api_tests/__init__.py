"""Helpers for the API tests of every app, and the schema-driven test of
the whole API (``test_schema``)."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user, language="zh-hans"):
    """An API client authenticated with ``user``'s token, asking for answers
    in ``language`` (or without Accept-Language when it is None)."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    client.credentials(**headers)
    return client
