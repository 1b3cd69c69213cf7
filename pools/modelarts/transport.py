"""One signed call to the ModelArts API: the request on the wire, its signature, retries and deadline, a log line.

The request on the wire is what the official SDK sends: ``/v2/{project_id}/...`` (or ``/v1/...``: tags, orders,
flavors, events) with path values percent-encoded with nothing kept safe, the query already in canonical order
and encoding, JSON bodies serialised the SDK's way, ``Content-Type: application/json`` on every call but PatchPool's merge patch
(``application/merge-patch+json``; the header sent is the one signed), and an SDK-HMAC-SHA256 signature made
afresh for every attempt.

Retries: a GET is retried on transport errors and 5xx, with exponential backoff and full jitter; any method
is retried on 429 after the server's ``Retry-After`` (the gateway turned it away). A change (POST, PATCH,
DELETE) is never sent twice: when its answer is lost it raises ``OutcomeUnknownError`` (a refused connection is a plain
``TransportError``: nothing was sent), when it got a 5xx it raises ``ServerError``; the caller settles the
outcome by looking at the pool. All waiting stays inside an overall deadline, and every attempt's timeout is
cut to the time left.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3

from pools.modelarts import observers, signer
from pools.modelarts.errors import (
    ModelArtsError,
    OutcomeUnknownError,
    RequestTimeoutError,
    TransportError,
    error_from_response,
    excerpt,
    header_request_id,
)

logger = logging.getLogger("pools.modelarts")

PRODUCT = "modelarts-admin"
try:
    _VERSION = metadata.version(PRODUCT)
except metadata.PackageNotFoundError:
    _VERSION = "dev"
USER_AGENT = f"{PRODUCT}/{_VERSION} python-requests/{requests.__version__}"

CONTENT_TYPE = "application/json"
HEADER_PROJECT_ID = "X-Project-Id"
HEADER_USER_ID = "X-ModelArts-User-ID"

# Methods sent again after a lost answer or a 5xx. Not DELETE: DeletePool changes nothing the second time, but
# it answers differently (409 "already being deleted", later 404), so a replay would report a deletion the
# first attempt made as a failure. A DELETE whose answer is lost is settled by looking, like a POST.
REPLAYABLE_METHODS = frozenset({"GET"})
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 4.0
# A retry is only worth it when, after the wait, this much of the deadline is left for the attempt.
MIN_ATTEMPT_SECONDS = 0.5

_RETRY_AFTER_SECONDS = re.compile(r"\d{1,9}(\.\d{1,6})?")


def json_body(body: Any) -> bytes:
    """JSON as the SDK serialises it: ``", "`` and ``": "`` separators, ASCII only, keys in given order."""
    return json.dumps(body).encode("ascii")


def normalise_endpoint(endpoint: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; a bare host gets https, as in the SDK."""
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValueError("an endpoint URL is needed, e.g. https://modelarts.cn-north-4.myhuaweicloud.com")
    endpoint = endpoint.strip()
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the endpoint must be an http or https URL with a host, not {endpoint[:100]!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("the endpoint must not carry a query, a fragment or user information")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def path_value(value: str, what: str) -> str:
    """A path parameter as the SDK puts it in the path: percent-encoded with nothing kept safe."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"the {what} must be a non-empty string")
    return quote(value, safe="")


def parse_retry_after(
    value: str | None, *, server_date: str | None = None, now: float | None = None
) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP date.

    A date is measured against the answer's own ``Date`` header when there is one (no clock skew), else
    against this machine's clock. None when absent or unreadable; never negative.
    """
    if not value:
        return None
    value = value.strip()
    if _RETRY_AFTER_SECONDS.fullmatch(value):
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(server_date) if server_date else None
    reference_seconds = reference.timestamp() if reference else (time.time() if now is None else now)
    return max(0.0, when.timestamp() - reference_seconds)


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _never_sent(error: requests.RequestException) -> bool:
    """True when the connection was never made, so the server cannot have seen the request."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _describe(error: BaseException) -> str:
    """A short account of a transport failure, from its innermost cause (no URL query, no headers)."""
    cause: BaseException = error
    while True:
        reason = getattr(cause.args[0], "reason", None) if cause.args else None
        if not isinstance(reason, BaseException) or reason is cause:
            break
        cause = reason
    return excerpt(f"{type(cause).__name__}: {cause}", 240)


def new_session(endpoint: str | None = None) -> requests.Session:
    """The HTTP session a client uses when it is given none; also for sessions shared between clients.

    ModelArts sets no cookies, and one session may carry requests of several accounts: it keeps none.
    With ``endpoint``, the environment's proxy and CA-bundle settings for it are read once, here: requests
    otherwise reads them (every variable of the environment) again for each request.
    """
    session = requests.Session()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    if endpoint is not None:
        # What requests' merge_environment_settings would find for this endpoint on every request.
        session.proxies = requests.utils.get_environ_proxies(endpoint)
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.trust_env = False
    # We retry ourselves (never a POST); the adapter must not retry behind our back.
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class Transport:
    """Sends the calls of one client: one project at one endpoint, signed by ``auth``, over ``session``.

    Its settings come checked from ``ModelArtsClient``, which builds it. ``secrets`` are the AK and SK, kept
    only so that an error answer that echoes them is cleaned before it is raised.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        project_id: str,
        user_id: str | None,
        auth: requests.auth.AuthBase,
        secrets: tuple[str, str],
        session: requests.Session,
        timeout: float,
        deadline: float,
        retries: int,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rng: random.Random,
    ) -> None:
        self.endpoint = endpoint
        self.project_id = project_id
        self.user_id = user_id
        self.timeout = timeout
        self.deadline = deadline
        self.retries = retries
        self._auth = auth
        self._secrets = secrets
        self._session = session
        self._sleep = sleep
        self._clock = clock
        self._random = rng
        self._min_attempt = min(MIN_ATTEMPT_SECONDS, timeout)
        self._project_path = path_value(project_id, "project id")

    def _send(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None, *, timeout: float
    ) -> requests.Response:
        """``session.request`` without its per-request merging of session cookies, hooks and parameters
        (none are used; ~0.4 ms of CPU a call): the session's default headers go in as they would, and its
        proxy, CA and certificate settings as ``merge_environment_settings`` finds them."""
        request = requests.Request(
            method, url, headers={**self._session.headers, **headers}, data=body, auth=self._auth
        )
        settings = self._session.merge_environment_settings(url, {}, None, None, None)
        return self._session.send(request.prepare(), timeout=timeout, allow_redirects=False, **settings)

    def _headers(self, with_user_id: bool, content_type: str = CONTENT_TYPE) -> dict[str, str]:
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, HEADER_PROJECT_ID: self.project_id}
        if with_user_id and self.user_id:
            headers[HEADER_USER_ID] = self.user_id
        return headers

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        query: Sequence[tuple[str, str | None]] = (),
        *,
        body: bytes | None = None,
        user_id: bool = False,
        api_version: str = "v2",
        content_type: str = CONTENT_TYPE,
    ) -> requests.Response:
        """Send ``operation`` (``path`` under ``/v2/{project_id}``, ``query`` pairs whose None values are left
        out) and return its answer when the status is below 400; raise the typed ``ModelArtsError`` otherwise.
        ``user_id``: send the ``X-ModelArts-User-ID`` header (the operations that authorise workspaces).
        ``api_version``: ``v1`` for the operations under ``/v1/{project_id}`` (tags, orders, flavors, events).
        ``content_type``: the header sent and signed (PatchPool's merge patch)."""
        path = f"/{api_version}/{self._project_path}{path}"
        canonical = signer.canonical_query([(name, value) for name, value in query if value is not None])
        url = f"{self.endpoint}{path}?{canonical}" if canonical else f"{self.endpoint}{path}"
        headers = self._headers(user_id, content_type)
        started = self._clock()
        deadline_at = started + self.deadline
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline_at - self._clock()
            if remaining <= 0:
                error: ModelArtsError = RequestTimeoutError(
                    operation=operation, error_msg=f"no answer within the {self.deadline:g} s deadline"
                )
                self._log(operation, method, path, error.kind, "", attempt - 1, started, error)
                raise error
            try:
                response = self._send(method, url, headers, body, timeout=min(self.timeout, remaining))
            except requests.RequestException as failure:
                error = self._transport_error(operation, method, failure, min(self.timeout, remaining))
                if method in REPLAYABLE_METHODS and self._retry(attempt, deadline_at, None, error, path):
                    continue
                self._log(operation, method, path, error.kind, "", attempt, started, error)
                raise error from failure

            status = response.status_code
            request_id = header_request_id(response.headers)
            if status < 400:
                self._log(operation, method, path, status, request_id, attempt, started)
                return response
            retry_after = None
            if status in (429, 503):
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), server_date=response.headers.get("Date")
                )
            error = error_from_response(
                operation,
                status,
                response.content,
                response.headers,
                retry_after=retry_after,
                secrets=self._secrets,
            )
            retryable = status == 429 or (status >= 500 and method in REPLAYABLE_METHODS)
            if retryable and self._retry(attempt, deadline_at, retry_after, error, path):
                continue
            self._log(operation, method, path, status, error.request_id, attempt, started, error)
            raise error

    def _retry(
        self, attempt: int, deadline_at: float, retry_after: float | None, error: ModelArtsError, path: str
    ) -> bool:
        """Wait before another attempt and return True, or return False when none is left or it won't fit."""
        if attempt > self.retries:
            return False
        if retry_after is not None:
            delay = retry_after
        else:
            delay = self._random.uniform(
                0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
            )
        if delay + self._min_attempt > deadline_at - self._clock():
            return False
        logger.debug(
            "ModelArts %s %s: retrying after %s in %.2f s (attempt %d)",
            error.operation,
            path,
            error.status or error.kind,
            delay,
            attempt,
        )
        self._sleep(delay)
        return True

    def _transport_error(
        self, operation: str, method: str, failure: requests.RequestException, timeout: float
    ) -> TransportError:
        timed_out = isinstance(failure, requests.Timeout)
        detail = f"no answer within {timeout:g} s" if timed_out else _describe(failure)
        if method not in REPLAYABLE_METHODS and not _never_sent(failure):
            return OutcomeUnknownError(
                operation=operation,
                error_msg=f"{detail}; the request may have been carried out, so it was not sent again",
            )
        error_class = RequestTimeoutError if timed_out else TransportError
        return error_class(operation=operation, error_msg=detail)

    def _log(
        self,
        operation: str,
        method: str,
        path: str,
        outcome: int | str,
        request_id: str,
        attempts: int,
        started: float,
        error: ModelArtsError | None = None,
    ) -> None:
        """The call's one log line, and its report to the observers (``observers.py``)."""
        seconds = max(0.0, self._clock() - started)
        latency_ms = round(seconds * 1000)
        logger.info(
            "ModelArts %s %s %s -> %s in %d ms, request id %s, attempt %d",
            operation,
            method,
            path,
            outcome,
            latency_ms,
            request_id or "-",
            attempts,
            extra={
                "modelarts_operation": operation,
                "http_method": method,
                "http_path": path,
                "http_status": outcome if isinstance(outcome, int) else None,
                "latency_ms": latency_ms,
                "modelarts_request_id": request_id,
                "attempt": attempts,
            },
        )
        observers.notify(
            observers.FinishedCall(
                operation=operation,
                method=method,
                outcome=error.kind if error is not None else observers.OUTCOME_OK,
                status=outcome if isinstance(outcome, int) else None,
                seconds=seconds,
                attempts=attempts,
            )
        )
