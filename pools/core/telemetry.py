"""The dashboard's own Prometheus metrics: calls to ModelArts and reads through the selectors' cache.

Counted where they happen: every finished upstream call reaches ``record_upstream_call`` through the
client's observers (``pools/modelarts/observers.py``; the app adds it at start-up, so the client itself
imports no metrics library), and ``pools/selectors/cache.py`` counts its hits, misses and joins with
``count_read``. What is read from the database at scrape time (change requests by status, the audit
chain's length) is ``pools/observability/collectors.py``; the exposition and its access rule are
``pools/observability/exposition.py``. docs/observability.md lists every metric.

Label values are bounded: operations are the client's (ListPools, ShowPool…), reads the selectors' names
(pool_list, node_page…), outcomes ``ok`` or an error kind.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from pools.modelarts.observers import FinishedCall

PREFIX = "modelarts_admin"
# Seconds: from a cached-connection GET (tens of ms) to the client's deadline (20 s by default) and past it.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)

READ_HIT = "hit"
READ_MISS = "miss"
READ_JOINED = "joined"

UPSTREAM_CALLS = Counter(
    f"{PREFIX}_upstream_calls",
    "Calls to the ModelArts API, by operation, HTTP method and outcome (ok, or the error's kind: throttled, "
    "server, timeout, transport, outcome_unknown, not_found, auth, permission, conflict, bad_request…).",
    ["operation", "method", "outcome"],
)
UPSTREAM_CALL_SECONDS = Histogram(
    f"{PREFIX}_upstream_call_duration_seconds",
    "Duration of a call to the ModelArts API, retries and waits included, by operation.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
UPSTREAM_RETRIES = Counter(
    f"{PREFIX}_upstream_retries",
    "Attempts sent again after a failed attempt (reads on 5xx and lost answers, any call on 429).",
    ["operation"],
)
READ_CACHE = Counter(
    f"{PREFIX}_read_cache_lookups",
    "Reads of ModelArts through the selectors' cache, by read and result: hit (a fresh answer was cached), "
    "miss (this caller called ModelArts), joined (it waited for the call another thread or process was "
    "already making: single-flight).",
    ["read", "result"],
)


def record_upstream_call(call: FinishedCall) -> None:
    """The observer the app adds to the client: one finished call into the counters and the histogram."""
    UPSTREAM_CALLS.labels(call.operation, call.method, call.outcome).inc()
    UPSTREAM_CALL_SECONDS.labels(call.operation).observe(call.seconds)
    if call.attempts > 1:
        UPSTREAM_RETRIES.labels(call.operation).inc(call.attempts - 1)


def count_read(read: str, result: str) -> None:
    """One read through the cache: ``READ_HIT``, ``READ_MISS`` or ``READ_JOINED``."""
    READ_CACHE.labels(read, result).inc()
