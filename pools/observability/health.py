"""Liveness and readiness, with django-health-check.

* ``/health/live/`` runs no check: it answers 200 as long as a worker can run a view. It touches neither the
  database nor the cache, so a database outage never gets the processes restarted.
* ``/health/ready/`` checks the database (``SELECT 1``) and the cache (a set and a get): either failing
  answers 500, so a load balancer stops sending traffic. It also reads ModelArts' pool statistics through
  each connection in use (``ModelArtsReachable``), the same cached read the pages make, but that check is
  advisory: ModelArts being down or refusing the keys is reported in the answer (JSON with
  ``Accept: application/json`` or ``?format=json``, text, or HTML) and the status stays 200, since the
  dashboard is still useful then (the approval queue, the audit log, the last good answers marked stale).

The HTML answer is our own page (``health/status.html``, styled by app.css): the library's page styles itself
inline, which the Content-Security-Policy blocks.

Both answer without a log-in. Upstream checks run on a small pool of threads of their own, shared by all
requests: a check that outlives its timeout (``HEALTH_UPSTREAM_TIMEOUT_SECONDS``) is reported as timed out
without holding the answer, and calls stuck on a hanging ModelArts never delay the database and cache
checks (which would then fail readiness for ModelArts' sake).
"""

from __future__ import annotations

import dataclasses
import datetime
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import ClassVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from health_check.base import HealthCheck, HealthCheckResult
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceWarning
from health_check.views import HealthCheckView

from pools.models import Connection
from pools.selectors.connections import connection_list
from pools.selectors.modelarts import pool_statistics

UPSTREAM_CHECK_THREADS = 4
_upstream_check_threads = ThreadPoolExecutor(
    max_workers=UPSTREAM_CHECK_THREADS, thread_name_prefix="health-check"
)


@dataclasses.dataclass
class ModelArtsReachable(HealthCheck):
    """ModelArts answers the connection's keys: ShowPoolStatistics of its default workspace, through the
    selectors' cache. Advisory (``fatal = False``): its failure never makes the readiness answer fail."""

    connection: str
    connection_object: Connection = dataclasses.field(repr=False, compare=False)
    fatal: ClassVar[bool] = False

    def __post_init__(self) -> None:
        self.timeout = datetime.timedelta(seconds=settings.HEALTH_UPSTREAM_TIMEOUT_SECONDS)

    async def get_result(self, executor: Executor | None = None) -> HealthCheckResult:
        # On threads of its own: calls stuck on a hanging ModelArts never hold up the fatal checks.
        return await super().get_result(_upstream_check_threads)

    def run(self) -> None:
        read = pool_statistics(connection=self.connection_object)
        if read.error is not None:
            details = read.error.details
            code = " ".join(part for part in (details.get("status"), details.get("error_code")) if part)
            raise ServiceWarning(f"{read.error.message}{f' ({code})' if code else ''}")


def is_fatal(check: HealthCheck) -> bool:
    return getattr(check, "fatal", True)


def level(result: HealthCheckResult) -> str:
    """How the page marks a check's outcome: ``ok``, ``warn`` (a warning, or an advisory check failing), ``err``."""
    if result.error is None:
        return "ok"
    return "warn" if isinstance(result.error, ServiceWarning) or not is_fatal(result.check) else "err"


class StatusPage:
    """The HTML answer in our template and stylesheet; JSON, text and the feeds stay the library's."""

    template_name = "health/status.html"

    def get_context_data(self, **kwargs):
        rows = [
            {
                "check": repr(result.check),
                "error": result.error,
                "level": level(result),
                "seconds": result.time_taken,
            }
            for result in self.results
        ]
        return {**super().get_context_data(**kwargs), "rows": rows, "checked_at": timezone.now()}


class LivenessView(StatusPage, HealthCheckView):
    """No checks: the process answering is the signal."""

    checks = ()


class ReadinessView(StatusPage, HealthCheckView):
    """The database and the cache (fatal), and ModelArts through each connection in use (advisory)."""

    checks = (Database, Cache)

    async def get(self, request, *args, **kwargs):
        try:
            self.connections = await sync_to_async(list)(connection_list())
        except DatabaseError:
            self.connections = []  # the database check says what is wrong
        return await super().get(request, *args, **kwargs)

    def get_checks(self):
        yield from super().get_checks()
        for connection in self.connections:
            yield ModelArtsReachable(connection=connection.name, connection_object=connection)

    # The library answers 500 when any check failed; here only a fatal check's failure counts.

    def _status(self) -> int:
        return 500 if any(result.error and is_fatal(result.check) for result in self.results) else 200

    def render_to_response_json(self, status):
        return super().render_to_response_json(self._status())

    def render_to_response_text(self, status):
        return super().render_to_response_text(self._status())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "errors": self._status() != 200}

    def render_to_response(self, context, **response_kwargs):
        response_kwargs["status"] = self._status()
        return super().render_to_response(context, **response_kwargs)
