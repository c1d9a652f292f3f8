"""Requests made by htmx get a fragment of a page; any other request for
the same URL gets the whole page."""


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
