"""The signed ModelArts client: one method per resource-pool operation (§5), typed results, typed errors.

The request on the wire is what the official SDK sends: ``/v2/{project_id}/...`` with path values
percent-encoded with nothing kept safe, the query already in canonical order and encoding, JSON bodies
serialised the SDK's way, ``Content-Type: application/json`` on every call, and an SDK-HMAC-SHA256 signature
made afresh for every attempt.

Retries: GET and DELETE are retried on transport errors and 5xx, with exponential backoff and full jitter;
any method is retried on 429 after the server's ``Retry-After`` (the gateway turned it away). A POST is never
sent twice: when its answer is lost it raises ``OutcomeUnknownError`` (a refused connection is a plain
``TransportError``: nothing was sent), when it got a 5xx it raises ``ServerError``. A retried DELETE that
finds nothing after an ambiguous first attempt raises ``OutcomeUnknownError`` too. All waiting stays inside
an overall deadline, and every attempt's timeout is cut to the time left.

A client is safe to share between threads: it holds one ``requests.Session`` (a connection pool) and no
other mutable state.
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote, urlsplit

import requests
import urllib3

from pools.modelarts import signer
from pools.modelarts.auth import SdkHmacAuth, utc_now
from pools.modelarts.errors import (
    InvalidResponseError,
    ModelArtsError,
    OutcomeUnknownError,
    RequestTimeoutError,
    TransportError,
    error_from_response,
    excerpt,
    header_request_id,
)
from pools.modelarts.timerange import STATISTICS, TimeRange, check_period
from pools.modelarts.types import (
    Ack,
    MonitorResult,
    Node,
    NodePage,
    Pool,
    PoolList,
    PoolStatistics,
    RuntimeMetrics,
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

IDEMPOTENT_METHODS = frozenset({"GET", "DELETE"})
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_CAP_SECONDS = 4.0
# A retry is only worth it when, after the wait, this much of the deadline is left for the attempt.
MIN_ATTEMPT_SECONDS = 0.5
NODE_PAGE_LIMIT = 500
POOL_LIST_STATUSES = ("created", "failed", "creating")

_RETRY_AFTER_SECONDS = re.compile(r"\d{1,9}(\.\d{1,6})?")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")

Result = TypeVar("Result")


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


class ModelArtsClient:
    """Client of the nine ModelArts resource-pool operations of one project, at one endpoint.

    ``timeout`` bounds each attempt, ``deadline`` the whole call including retries and waits, ``retries``
    the attempts after the first. ``sleep``, ``clock`` (monotonic seconds) and ``now`` (the signing date)
    are injectable for tests.
    """

    def __init__(
        self,
        endpoint: str,
        project_id: str,
        ak: str,
        sk: str,
        *,
        user_id: str | None = None,
        timeout: float = 10.0,
        deadline: float = 20.0,
        retries: int = 2,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        if not isinstance(project_id, str) or not project_id:
            raise ValueError("a project id is needed")
        if not isinstance(ak, str) or not ak or not isinstance(sk, str) or not sk:
            raise ValueError("both an access key and a secret key are needed")
        if user_id is not None and user_id != "" and not _VISIBLE_ASCII.fullmatch(str(user_id)):
            raise ValueError("the ModelArts user id must be visible ASCII characters only")
        if not timeout > 0 or not deadline > 0:
            raise ValueError("the timeout and the deadline must be positive")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a whole number, 0 or more")
        self.endpoint = normalise_endpoint(endpoint)
        self.project_id = project_id
        self.user_id = user_id or None
        self.timeout = float(timeout)
        self.deadline = float(deadline)
        self.retries = retries
        self._secrets = (ak, sk)
        self._auth = SdkHmacAuth(ak, sk, now=now)
        self._owns_session = session is None
        self._session = session if session is not None else new_session(self.endpoint)
        self._sleep = sleep
        self._clock = clock
        self._random = rng or random.Random()  # jitter only, not a secret
        self._min_attempt = min(MIN_ATTEMPT_SECONDS, self.timeout)
        self._base_path = f"/v2/{path_value(project_id, 'project id')}"

    def __repr__(self) -> str:
        return f"ModelArtsClient(endpoint={self.endpoint!r}, project_id={self.project_id!r})"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> ModelArtsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- operations -----------------------------------------------------------------------------------

    def list_pools(
        self, workspace_id: str | None = "0", label_selector: str | None = None, status: str | None = None
    ) -> PoolList:
        """ListPools: every pool of the project (no paging), optionally filtered."""
        if status and status not in POOL_LIST_STATUSES:
            raise ValueError(f"status must be one of {', '.join(POOL_LIST_STATUSES)}, not {status!r}")
        query = [
            ("workspaceId", workspace_id),
            ("labelSelector", label_selector or None),
            ("status", status or None),
        ]
        response = self._call("ListPools", "GET", "/pools", query)
        return self._parse("ListPools", response, PoolList.parse)

    def show_pool(self, name: str) -> Pool:
        """ShowPool: one pool by its ``metadata.name``."""
        path = f"/pools/{path_value(name, 'pool name')}"
        response = self._call("ShowPool", "GET", path, user_id=True)
        return self._parse("ShowPool", response, Pool.parse)

    def create_pool(self, body: dict[str, Any]) -> Pool:
        """CreatePool. Never replayed: a lost answer raises ``OutcomeUnknownError`` (look the pool up)."""
        if not isinstance(body, dict):
            raise TypeError("the pool to create is given as a dict (the CreatePool request body)")
        response = self._call("CreatePool", "POST", "/pools", body=_json_body(body), user_id=True)
        return self._parse("CreatePool", response, Pool.parse)

    def delete_pool(self, name: str) -> Pool:
        """DeletePool: answers with the pool as the deletion is accepted (its phase may still say Running)."""
        path = f"/pools/{path_value(name, 'pool name')}"
        response = self._call("DeletePool", "DELETE", path, user_id=True)
        return self._parse("DeletePool", response, Pool.parse)

    def list_nodes(self, pool: str, limit: int | None = None, continue_token: str | None = None) -> NodePage:
        """ListPoolNodes: one page of nodes; pass ``page.continue_token`` back for the next."""
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= NODE_PAGE_LIMIT
        ):
            raise ValueError(f"limit must be a whole number from 0 to {NODE_PAGE_LIMIT}, not {limit!r}")
        query = [("continue", continue_token or None), ("limit", None if limit is None else str(limit))]
        path = f"/pools/{path_value(pool, 'pool name')}/nodes"
        response = self._call("ListPoolNodes", "GET", path, query)
        return self._parse("ListPoolNodes", response, NodePage.parse)

    def iter_nodes(self, pool: str, limit: int = NODE_PAGE_LIMIT) -> Iterator[Node]:
        """Every node of the pool, following ``continue`` tokens page by page."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_nodes(pool, limit=limit, continue_token=token)
            yield from page.items
            if not page.continue_token:
                return
            if page.continue_token in seen:
                raise InvalidResponseError(
                    operation="ListPoolNodes",
                    status=200,
                    error_msg="the node list handed back a continue token it had already given",
                    request_id=page.request_id,
                )
            seen.add(page.continue_token)
            token = page.continue_token

    def delete_nodes(self, pool: str, node_names: Iterable[str]) -> Ack:
        """BatchDeletePoolNodes. Never replayed: a lost answer raises ``OutcomeUnknownError``."""
        names = [node_names] if isinstance(node_names, str) else list(node_names)
        if not names or not all(isinstance(name, str) and name for name in names):
            raise ValueError("name at least one node to delete; every node name must be a non-empty string")
        path = f"/pools/{path_value(pool, 'pool name')}/nodes/batch-delete"
        response = self._call(
            "BatchDeletePoolNodes", "POST", path, body=_json_body({"deleteNodeNames": names})
        )
        return _ack(response)

    def show_runtime_metrics(self) -> RuntimeMetrics:
        """ShowPoolRuntimeMetrics: current usage of every pool of the project."""
        response = self._call("ShowPoolRuntimeMetrics", "GET", "/metrics/runtime/pools")
        return self._parse("ShowPoolRuntimeMetrics", response, RuntimeMetrics.parse)

    def show_statistics(self, workspace_id: str | None = "0") -> PoolStatistics:
        """ShowPoolStatistics: pool counts by state."""
        response = self._call(
            "ShowPoolStatistics", "GET", "/statistics/pools", [("workspaceId", workspace_id)]
        )
        return self._parse("ShowPoolStatistics", response, PoolStatistics.parse)

    def show_monitor(
        self, pool: str, time_range: TimeRange | str, statistics: str = "maximum", period: int = 60
    ) -> MonitorResult:
        """ShowPoolMonitor. Raises ``TimeRangeError`` (a ValueError) before sending when the range/period
        pair breaks the 1440-point rule; the message names the smallest valid period."""
        if not isinstance(time_range, TimeRange):
            time_range = TimeRange.parse(time_range)
        check_period(time_range.minutes, period)
        if statistics not in STATISTICS:
            raise ValueError(f"statistics must be one of {', '.join(STATISTICS)}, not {statistics!r}")
        query = [("time_range", str(time_range)), ("statistics", statistics), ("period", str(period))]
        path = f"/pools/{path_value(pool, 'pool name')}/monitor"
        response = self._call("ShowPoolMonitor", "GET", path, query)
        return self._parse("ShowPoolMonitor", response, MonitorResult.parse)

    # --- the call and its retries ---------------------------------------------------------------------

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

    def _headers(self, with_user_id: bool) -> dict[str, str]:
        headers = {"Content-Type": CONTENT_TYPE, "User-Agent": USER_AGENT, HEADER_PROJECT_ID: self.project_id}
        if with_user_id and self.user_id:
            headers[HEADER_USER_ID] = self.user_id
        return headers

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        query: Sequence[tuple[str, str | None]] = (),
        *,
        body: bytes | None = None,
        user_id: bool = False,
    ) -> requests.Response:
        path = self._base_path + path
        canonical = signer.canonical_query([(name, value) for name, value in query if value is not None])
        url = f"{self.endpoint}{path}?{canonical}" if canonical else f"{self.endpoint}{path}"
        headers = self._headers(user_id)
        started = self._clock()
        deadline_at = started + self.deadline
        attempt = 0
        # A DELETE that was lost in transit or answered 5xx may still have been carried out; if a retry
        # then finds nothing to delete, the honest answer is "maybe done", not "not found".
        maybe_carried_out = False
        while True:
            attempt += 1
            remaining = deadline_at - self._clock()
            if remaining <= 0:
                error: ModelArtsError = RequestTimeoutError(
                    operation=operation, error_msg=f"no answer within the {self.deadline:g} s deadline"
                )
                self._log(operation, method, path, error.kind, "", attempt - 1, started)
                raise error
            try:
                response = self._send(method, url, headers, body, timeout=min(self.timeout, remaining))
            except requests.RequestException as failure:
                error = self._transport_error(operation, method, failure, min(self.timeout, remaining))
                maybe_carried_out = maybe_carried_out or not _never_sent(failure)
                if method in IDEMPOTENT_METHODS and self._retry(attempt, deadline_at, None, error, path):
                    continue
                self._log(operation, method, path, error.kind, "", attempt, started)
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
            if status == 404 and method == "DELETE" and maybe_carried_out:
                error = OutcomeUnknownError(
                    operation=operation,
                    status=status,
                    error_code=error.error_code,
                    error_msg=f"an earlier attempt may have done it: the retry found nothing ({error.error_msg})",
                    request_id=error.request_id,
                )
            maybe_carried_out = maybe_carried_out or status >= 500
            retryable = status == 429 or (status >= 500 and method in IDEMPOTENT_METHODS)
            if retryable and self._retry(attempt, deadline_at, retry_after, error, path):
                continue
            self._log(operation, method, path, status, error.request_id, attempt, started)
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
        if method not in IDEMPOTENT_METHODS and not _never_sent(failure):
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
    ) -> None:
        latency_ms = round((self._clock() - started) * 1000)
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
                "request_id": request_id,
                "attempt": attempts,
            },
        )

    def _parse(
        self,
        operation: str,
        response: requests.Response,
        parse: Callable[[Any, str], Result],
    ) -> Result:
        """The answer typed by ``parse`` (decoded JSON, request id); ``InvalidResponseError`` otherwise."""
        request_id = header_request_id(response.headers)

        def invalid(message: str) -> InvalidResponseError:
            return InvalidResponseError(
                operation=operation, status=response.status_code, error_msg=message, request_id=request_id
            )

        try:
            body = json.loads(response.content, parse_constant=_not_json)
        except (ValueError, RecursionError):
            text = response.content.decode("utf-8", "replace")
            raise invalid(f"the answer is not JSON: {excerpt(text[:4096]) or 'empty body'}") from None
        try:
            return parse(body, request_id)
        except InvalidResponseError as wrong_shape:
            raise invalid(wrong_shape.error_msg) from None
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as wrong_shape:
            raise invalid(
                f"the answer does not have the expected shape ({type(wrong_shape).__name__})"
            ) from None


def _not_json(constant: str) -> NoReturn:
    # The standard library reads NaN and Infinity, which JSON does not have.
    raise ValueError(f"{constant} is not JSON")


def _json_body(body: Any) -> bytes:
    """JSON as the SDK serialises it: ``", "`` and ``": "`` separators, ASCII only, keys in given order."""
    return json.dumps(body).encode("ascii")


def _ack(response: requests.Response) -> Ack:
    # BatchDeletePoolNodes documents no body. Any success counts: a non-replayable call that worked must
    # never look like a failure because of what came with it.
    content = response.content
    raw: Any = None
    if content.strip():
        try:
            raw = json.loads(content)
        except (ValueError, RecursionError):
            raw = excerpt(content.decode("utf-8", "replace")[:4096])
    return Ack(raw=raw, request_id=header_request_id(response.headers))
