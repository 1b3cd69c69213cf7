"""One id per request, on the response and on every log line written while it is served.

``RequestIdMiddleware`` takes the id from the ``X-Request-ID`` header a proxy set (when it is a short,
plain token: letters, digits, ``._:-``) or makes one, keeps it in a context variable until Django's
``request_finished`` (so Django's own "Not Found" and "Internal Server Error" lines, written after the
middleware returned, carry it too), puts it on ``request.request_id`` (the audit entries of connection changes record it) and sends it
back in ``X-Request-ID``. ``RequestIdFilter``, on the console handler (``settings.LOGGING``), copies it onto
every log record as ``request_id``; ``-`` outside a request. Reads made on helper threads
(``pools/selectors/concurrent.py``) run in a copy of the request's context, so their lines carry it too.

Of Django it imports only the request signals: settings.py names the filter before the apps load.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
# A caller's id is kept only when it cannot forge log lines or bloat them.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_current_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being served on this thread (or its helper threads), "" outside one."""
    return _current_request_id.get()


def request_id_from(header_value: str | None) -> str:
    """The caller's id when it is acceptable, else a new one (32 hex digits)."""
    if header_value and _ACCEPTED_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request its id (see the module's docstring). First in ``MIDDLEWARE``, so every other
    middleware's lines carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(_forget_request_id, dispatch_uid="pools.observability.request_ids")

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        _current_request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs) -> None:
    _current_request_id.set("")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that passes the handler (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current_request_id.get() or NO_REQUEST
        return True
