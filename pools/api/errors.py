"""Every failure as a JSON body that says what went wrong, never a 500 or an HTML page.

* bad input: 400 ``{"errors": {field: [messages]}}`` (form and serializer errors alike);
* a refusal by a service (``ApplicationError``): 400 on the field it names, else 409, with its message;
* an upstream failure with nothing cached to show: 502 with the message, ModelArts' error code and message,
  and the upstream request id (404 when ModelArts says the pool does not exist);
* no token, a bad one, missing roles or scopes: 401 / 403 with the reason; 404 for what the user may not see;
* too many calls (throttling.py): 429 with ``retry_after`` seconds in the error and the ``Retry-After`` header.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from pools.core.errors import ApplicationError
from pools.selectors.cache import ReadResult
from pools.selectors.modelarts import pool_missing

NO_SUCH_POOL = _("ModelArts has no such pool.")
BAD_INPUT = _("Bad input.")
NO_DATA = _("No data.")


class BadInput(exceptions.APIException):
    """Field errors of a form or serializer: 400 ``{"errors": {...}}``."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(BAD_INPUT)
        self.errors = errors


class UpstreamFailed(exceptions.APIException):
    """A read failed and nothing cached can stand in: 502 (404 for a pool ModelArts does not have)."""

    status_code = status.HTTP_502_BAD_GATEWAY

    def __init__(self, error: ApplicationError, *, not_found: bool = False):
        super().__init__(NO_SUCH_POOL if not_found else error.message)
        self.error = error
        if not_found:
            self.status_code = status.HTTP_404_NOT_FOUND


def error_body(error: ApplicationError) -> dict[str, Any]:
    return {"message": error.message, **error.details}


def form_errors(form) -> BadInput:
    return BadInput(
        {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    )


def read_answer(read: ReadResult, shape, **extra: Any) -> Response:
    """A selector's read as JSON: ``data`` (``shape(read.value)``), when it was read, whether it is a stale copy
    and, with a stale copy, why; a failure with nothing to show raises ``UpstreamFailed``."""
    if read.value is None:
        error = read.error or ApplicationError(NO_DATA)
        raise UpstreamFailed(error, not_found=pool_missing(read))
    return Response(
        {
            "data": shape(read.value),
            **extra,
            "fetched_at": read.fetched_at,
            "stale": read.stale,
            "error": error_body(read.error) if read.error is not None else None,
        }
    )


def api_exception_handler(exc, context):
    if isinstance(exc, BadInput):
        return Response({"errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, UpstreamFailed):
        return Response(
            {"error": error_body(exc.error) | {"message": str(exc.detail)}}, status=exc.status_code
        )
    if isinstance(exc, ApplicationError):
        if exc.field:
            return Response({"errors": {exc.field: [exc.message]}}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"error": error_body(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # the service's reason, not a bare 403
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response({"errors": detail}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):  # a body that is not JSON: every 400 has "errors"
        return Response({"errors": {"non_field_errors": [str(exc.detail)]}}, status=exc.status_code)
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    response.data = {"error": {"message": str(detail)}}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        # Whole seconds, rounded up as the message rounds them (REST framework's header rounds down).
        retry_after = max(1, math.ceil(exc.wait))
        response.data["error"]["retry_after"] = retry_after
        response["Retry-After"] = str(retry_after)
    return response
