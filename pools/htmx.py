"""The one rule for choosing a page or its partial, and the typed request the views take."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def template_for(request: HtmxHttpRequest, page: str, partial: str) -> str:
    """``page`` for a normal request, ``page#partial`` when htmx asks for just that part.

    A history restore (back button) wants the whole page, even though htmx sent it.
    """
    if request.htmx and not request.htmx.history_restore_request:
        return f"{page}#{partial}"
    return page
