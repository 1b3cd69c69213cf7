"""Metrics read from the database when Prometheus scrapes: change requests by status, the audit chain's length.

They are the database's numbers, the same in every worker, so they are read at scrape time by whichever
worker answers, never counted per process (and so never summed across processes in multiprocess mode).
A database that fails the read leaves these families out of that scrape and says so in
``modelarts_admin_database_scrape_ok``; the rest of the metrics are still served.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pools.core.telemetry import PREFIX
from pools.selectors.audit import audit_chain_length
from pools.selectors.change_requests import change_request_counts

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """``modelarts_admin_change_requests{status}`` (every status, 0 included; a pending request past its
    expiry counts as expired) and ``modelarts_admin_audit_chain_length``."""

    def collect(self) -> Iterator[Metric]:
        try:
            counts = change_request_counts()
            chain_length = audit_chain_length()
        except DatabaseError as error:
            logger.warning("Metrics: the database could not be read: %s", type(error).__name__)
            yield GaugeMetricFamily(f"{PREFIX}_database_scrape_ok", SCRAPE_OK_HELP, value=0)
            return
        yield GaugeMetricFamily(f"{PREFIX}_database_scrape_ok", SCRAPE_OK_HELP, value=1)
        by_status = GaugeMetricFamily(
            f"{PREFIX}_change_requests",
            "Change requests in each status now (pending past its expiry counts as expired).",
            labels=["status"],
        )
        for status, count in sorted(counts.items()):
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily(
            f"{PREFIX}_audit_chain_length",
            "Audit log entries sealed into the HMAC chain; it only grows (a drop means entries were removed).",
            value=chain_length,
        )


SCRAPE_OK_HELP = "1 when this scrape read the change requests and the audit chain from the database, else 0."
