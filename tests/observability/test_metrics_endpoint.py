"""GET /metrics: the dashboard's own metrics move by what really happened, and only a scraper may read them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pools import audit
from pools.observability import exposition
from tests.fixtures.connections import file_change_request
from tests.fixtures.metrics import parse_exposition

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-the-tests-3f9a"
METRICS = "/metrics"


@pytest.fixture
def scraper(settings):
    """A Prometheus that shows the token; the settings allow no address."""
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    client = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    def scrape() -> dict[str, float]:
        response = client.get(METRICS)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain; version=")
        return parse_exposition(response.content.decode())

    return scrape


def calls(operation: str, outcome: str = "ok", method: str = "GET") -> str:
    # The exposition writes labels in alphabetical order.
    return f'modelarts_admin_upstream_calls_total{{method="{method}",operation="{operation}",outcome="{outcome}"}}'


LOOKUPS = "modelarts_admin_read_cache_lookups_total"


def lookups(read: str, result: str) -> str:
    return f'{LOOKUPS}{{read="{read}",result="{result}"}}'


def moved(before: dict[str, float], after: dict[str, float], series: str) -> float:
    return after.get(series, 0.0) - before.get(series, 0.0)


def test_page_reads_against_the_sandbox_move_the_upstream_and_cache_metrics_by_what_was_sent(
    scraper, viewer_client, seeded_sandbox, sandbox_connection, locmem_cache, settings
):
    settings.SELECTOR_CACHE_SECONDS = 60
    before = scraper()
    seeded_sandbox.clear_calls()

    assert viewer_client.get(reverse("pools:pool_list")).status_code == 200
    sent = seeded_sandbox.call_counts()
    after_first = scraper()

    assert sent.get("ListPools", 0) >= 1
    for operation, count in sent.items():
        assert moved(before, after_first, calls(operation)) == count, operation
        duration_count = f'modelarts_admin_upstream_call_duration_seconds_count{{operation="{operation}"}}'
        assert moved(before, after_first, duration_count) == count, operation
    misses = sum(moved(before, after_first, s) for s in after_first if s.startswith(LOOKUPS) and "miss" in s)
    assert misses == sum(sent.values()), "every upstream call of the page was a cache miss"

    assert viewer_client.get(reverse("pools:pool_list")).status_code == 200
    after_second = scraper()
    assert seeded_sandbox.call_counts() == sent, "the second view was served from the cache"
    assert moved(after_first, after_second, lookups("pool_list", "hit")) >= 1
    assert moved(after_first, after_second, calls("ListPools")) == 0
    assert not [
        s
        for s in after_second
        if s.startswith(LOOKUPS) and "miss" in s and moved(after_first, after_second, s)
    ]


def test_failing_reads_count_under_their_error_kind_with_retries(
    scraper, viewer_client, seeded_sandbox, sandbox_connection, locmem_cache, settings
):
    settings.MODELARTS_RETRIES = 1
    seeded_sandbox.faults.error(503, operation="ListPools")
    before = scraper()
    seeded_sandbox.clear_calls()

    viewer_client.get(reverse("pools:pool_list"))
    after = scraper()

    attempts = seeded_sandbox.calls("ListPools")
    assert attempts >= 2 and attempts % 2 == 0, "each read was tried twice"
    assert moved(before, after, calls("ListPools", outcome="server")) == attempts / 2
    assert (
        moved(before, after, 'modelarts_admin_upstream_retries_total{operation="ListPools"}') == attempts / 2
    )
    assert moved(before, after, calls("ListPools")) == 0


def test_change_requests_by_status_and_the_audit_chain_length_are_read_at_scrape_time(
    scraper, sandbox_connection, operator
):
    file_change_request(sandbox_connection, operator, status="pending", key="k-1")
    overdue = file_change_request(sandbox_connection, operator, status="pending", key="k-2")
    overdue.expires_at = timezone.now() - timedelta(minutes=1)
    overdue.save()
    file_change_request(sandbox_connection, operator, status="succeeded", key="k-3")
    chain_before = scraper()["modelarts_admin_audit_chain_length"]

    audit.record(user=operator, action="test.one", obj=sandbox_connection)
    audit.record(user=operator, action="test.two", obj=sandbox_connection)
    samples = scraper()

    def requests_in(status: str) -> float:
        return samples[f'modelarts_admin_change_requests{{status="{status}"}}']

    assert (requests_in("pending"), requests_in("expired"), requests_in("succeeded")) == (1, 1, 1)
    assert requests_in("rejected") == 0, "every status is there, 0 included"
    assert samples["modelarts_admin_audit_chain_length"] == chain_before + 2
    assert samples["modelarts_admin_database_scrape_ok"] == 1


def test_django_prometheus_request_metrics_are_served_too(scraper, client):
    client.get(reverse("login"))
    samples = scraper()
    assert any(
        series.startswith("django_http_requests_total_by_view_transport_method_total") for series in samples
    )
    assert any(
        series.startswith("django_http_requests_latency_seconds_by_view_method_bucket") for series in samples
    )


# --- who may scrape ---------------------------------------------------------------------------------------


def test_with_nothing_configured_nobody_may_scrape(settings, admin_client_):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    for client in (Client(), admin_client_, Client(HTTP_AUTHORIZATION="Bearer anything-at-all-here")):
        response = client.get(METRICS)
        assert response.status_code == 403
        assert response.content.decode() == exposition.METRICS_OFF


def test_the_token_is_required_and_compared_whole(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    missing = Client().get(METRICS)
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in missing.content.decode()
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN):
        assert Client(HTTP_AUTHORIZATION=wrong).get(METRICS).status_code == 401, wrong
    assert Client(HTTP_AUTHORIZATION=f"bearer {TOKEN}").get(METRICS).status_code == 200


def test_allowed_addresses_and_networks_may_scrape_without_a_token(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/8", "2001:db8::1"]
    assert Client(REMOTE_ADDR="10.20.30.40").get(METRICS).status_code == 200
    assert Client(REMOTE_ADDR="2001:db8::1").get(METRICS).status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.7").get(METRICS).status_code == 403


def test_behind_a_proxy_the_client_address_counts_not_the_proxys(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["127.0.0.1"]
    settings.TRUSTED_PROXY_COUNT = 1
    via_proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert via_proxy.get(METRICS).status_code == 403
    claimed = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9")
    assert claimed.get(METRICS).status_code == 403, "an address the client wrote itself is not trusted"


def test_only_get_is_offered(settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    assert Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").post(METRICS).status_code == 405


@pytest.mark.parametrize(
    ("token", "addresses", "problem"),
    [
        ("", ["10.0.0.0/33"], "METRICS_ALLOWED_IPS"),
        ("", ["prometheus.local"], "METRICS_ALLOWED_IPS"),
        ("short", [], "at least 16"),
    ],
)
def test_a_bad_configuration_fails_at_start(settings, token, addresses, problem):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = token, addresses
    with pytest.raises(ImproperlyConfigured, match=problem):
        exposition.check_configuration()
