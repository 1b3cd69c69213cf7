"""What the people who run the dashboard watch it with: request ids on every log line (``request_ids.py``),
the Prometheus exposition and who may scrape it (``exposition.py``, ``collectors.py``), and the health checks
behind the liveness and readiness endpoints (``health.py``).

It sits on top, beside the views: it may read through ``pools/selectors/`` and ``pools/core/``, and nothing
below imports it. The counters that the reads and the client's observer move live in
``pools/core/telemetry.py``, below both. What each metric and endpoint means: docs/observability.md.
"""
