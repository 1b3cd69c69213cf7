"""The connection test: list the pools with a connection's keys, then store and audit the outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pools import audit
from pools.core.clients import ConnectionKeysUnreadable, client_for_connection
from pools.modelarts.errors import ModelArtsError
from pools.models import Connection

TEST_SUMMARY_OK = _("{count} pool(s) listed in {latency_ms} ms")


@dataclass(frozen=True)
class ConnectionTestResult:
    """The outcome of listing pools with a connection, as shown inline and stored on it."""

    ok: bool
    tested_at: datetime
    latency_ms: int | None = None
    pool_count: int | None = None
    title: str = ""
    error_code: str = ""
    error_msg: str = ""
    request_id: str = ""
    status: int | None = None

    @property
    def summary(self) -> str:
        if self.ok:
            return TEST_SUMMARY_OK.format(count=self.pool_count, latency_ms=self.latency_ms)
        parts = [self.title]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts += [p for p in (self.error_code, self.error_msg) if p]
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return ": ".join(parts)[:500]


def _list_pools(connection: Connection) -> ConnectionTestResult:
    started = time.monotonic()
    try:
        client = client_for_connection(connection)
        try:
            pools = client.list_pools(workspace_id=connection.workspace_id or "0")
        finally:
            client.close()
    except ConnectionKeysUnreadable as error:
        return ConnectionTestResult(ok=False, tested_at=timezone.now(), title=error.message)
    except ModelArtsError as error:
        return ConnectionTestResult(
            ok=False,
            tested_at=timezone.now(),
            latency_ms=round((time.monotonic() - started) * 1000),
            title=error.title,
            error_code=error.error_code,
            error_msg=error.error_msg,
            request_id=error.request_id,
            status=error.status,
        )
    return ConnectionTestResult(
        ok=True,
        tested_at=timezone.now(),
        latency_ms=round((time.monotonic() - started) * 1000),
        pool_count=len(pools.items),
        request_id=pools.request_id,
    )


def connection_test(*, connection: Connection, user, request_id: str | None = None) -> ConnectionTestResult:
    """List pools with the connection; store and audit the outcome. Upstream failures are results."""
    # The HTTP call runs outside any transaction: no row stays locked while ModelArts answers.
    result = _list_pools(connection)
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            last_test_ok=result.ok,
            last_test_at=result.tested_at,
            last_test_summary=result.summary,
            last_test_latency_ms=result.latency_ms,
        )
        connection.last_test_ok = result.ok
        connection.last_test_at = result.tested_at
        connection.last_test_summary = result.summary
        connection.last_test_latency_ms = result.latency_ms
        audit.record(
            user=user,
            action="connection.test",
            obj=connection,
            details={
                "ok": result.ok,
                "pool_count": result.pool_count,
                "latency_ms": result.latency_ms,
                "error": result.title if not result.ok else "",
                "error_code": result.error_code,
                "error_msg": result.error_msg,
                "upstream_request_id": result.request_id,
            },
            request_id=request_id,
        )
    return result
