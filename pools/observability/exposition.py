"""GET /metrics: the Prometheus text, for a scraper that shows the token or comes from an allowed address.

Who may read it (``settings.METRICS_TOKEN``, ``settings.METRICS_ALLOWED_IPS``, docs/security.md): a request
with ``Authorization: Bearer <METRICS_TOKEN>``, or one whose client address (``REMOTE_ADDR``, or the entry
``TRUSTED_PROXY_COUNT`` proxies appended) is in one of the allowed networks. With neither set, nobody: the
endpoint answers 403 and says what to set. The demo allows 127.0.0.1 and ::1.

What it holds: every metric of this process's default registry (django-prometheus' requests, responses,
latencies, and ``pools/core/telemetry.py``'s upstream calls and cache reads), or, with
``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several workers), the sum over every worker's files; then the
database's numbers (``collectors.py``), read once per scrape.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from pools.observability.collectors import DatabaseCollector
from pools.services.login_throttle import client_ip

MULTIPROCESS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
METRICS_TOKEN_MIN_LENGTH = 16
METRICS_OFF = (
    "Metrics are not served to anyone: set METRICS_TOKEN (scrape with that bearer token) or "
    "METRICS_ALLOWED_IPS (the scrapers' addresses).\n"
)
METRICS_REFUSED = (
    "Scrape with the bearer token in METRICS_TOKEN, or from an address in METRICS_ALLOWED_IPS.\n"
)

_database_registry = CollectorRegistry()
_database_registry.register(DatabaseCollector())

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def allowed_networks(addresses: tuple[str, ...]) -> tuple[Network, ...]:
    """``METRICS_ALLOWED_IPS`` entries (addresses or CIDR networks) as networks; a bad one fails start-up."""
    networks = []
    for address in addresses:
        try:
            networks.append(ipaddress.ip_network(address.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"METRICS_ALLOWED_IPS: {address!r} is not an IP address or network (e.g. 10.0.0.0/8)."
            ) from None
    return tuple(networks)


def check_configuration() -> None:
    """Fail at start, not at the first scrape, on an unreadable address or a guessable token."""
    allowed_networks(tuple(settings.METRICS_ALLOWED_IPS))
    token = settings.METRICS_TOKEN
    if token and len(token) < METRICS_TOKEN_MIN_LENGTH:
        raise ImproperlyConfigured(f"METRICS_TOKEN must be at least {METRICS_TOKEN_MIN_LENGTH} characters.")


def _shows_the_token(request: HttpRequest, token: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip(), token)


def _from_allowed_address(request: HttpRequest, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in networks)


def scrape_refusal(request: HttpRequest) -> HttpResponse | None:
    """None when ``request`` may read the metrics, else the answer that refuses it."""
    token = settings.METRICS_TOKEN
    networks = allowed_networks(tuple(settings.METRICS_ALLOWED_IPS))
    if _shows_the_token(request, token) or _from_allowed_address(request, networks):
        return None
    if not token and not networks:
        return HttpResponse(METRICS_OFF, status=403, content_type="text/plain")
    refusal = HttpResponse(METRICS_REFUSED, status=401 if token else 403, content_type="text/plain")
    if token:
        refusal["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return refusal


def metrics_text() -> bytes:
    """The exposition: the process's (or every worker's) metrics, then the database's."""
    if os.environ.get(MULTIPROCESS_DIRECTORY_VARIABLE):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_database_registry)


@login_not_required
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    response = scrape_refusal(request) or HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
