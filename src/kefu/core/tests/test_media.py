import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

import kefu.urls


@pytest.fixture
def urls_built_in_debug_mode(settings):
    settings.DEBUG = True
    clear_url_caches()
    yield importlib.reload(kefu.urls)
    settings.DEBUG = False
    importlib.reload(kefu.urls)
    clear_url_caches()


def test_uploads_are_never_served_past_the_permission_checks(urls_built_in_debug_mode, settings):
    """Attachments are downloaded through the work-order view, which checks
    login and scope; a plain /media/ route would hand them to anyone, even
    in the debug mode that `make run` uses."""
    with pytest.raises(Resolver404):
        resolve(f"{settings.MEDIA_URL}attachments/2026/11/1/合同.pdf", urls_built_in_debug_mode)
