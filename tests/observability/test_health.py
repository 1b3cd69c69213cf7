"""/health/live/ and /health/ready/: liveness touches nothing; readiness fails on the database or the cache,
and reports ModelArts through each connection without failing on it."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.staticfiles import finders
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pools.observability import health
from tests.fixtures.browser import off_the_event_loop

LIVE, READY = "/health/live/", "/health/ready/"

pytestmark = pytest.mark.django_db(transaction=True)


def get(path: str, *args, **kwargs):
    """A GET of a health endpoint (async views) off any event loop a browser test left in this thread."""
    return off_the_event_loop(Client().get, path, *args, **kwargs)


def ready(**headers) -> tuple[int, dict[str, str]]:
    response = get(READY, HTTP_ACCEPT="application/json", **headers)
    return response.status_code, response.json()


def upstream_check(report: dict[str, str], connection_name: str) -> str:
    (outcome,) = [value for key, value in report.items() if f"connection='{connection_name}'" in key]
    return outcome


def test_liveness_answers_without_a_login_and_without_touching_the_database(monkeypatch, tmp_path):
    def live_counting_queries():
        with CaptureQueriesContext(connections["default"]) as queries:
            response = Client().get(LIVE, HTTP_ACCEPT="application/json")
        return response, len(queries)

    response, query_count = off_the_event_loop(live_counting_queries)
    assert response.status_code == 200 and query_count == 0
    assert response.json() == {}, "no checks: the process answering is the signal"
    assert "no-cache" in response["Cache-Control"]
    break_the_database(monkeypatch, tmp_path)
    assert get(LIVE).status_code == 200, "a database outage never fails liveness"


def test_readiness_checks_the_database_and_the_cache(locmem_cache):
    status, report = ready()
    assert status == 200
    assert report == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK"}


def test_readiness_reports_modelarts_through_each_connection(
    seeded_sandbox, sandbox_connection, locmem_cache
):
    status, report = ready()
    assert status == 200
    assert upstream_check(report, "sandbox") == "OK"


def test_modelarts_down_leaves_readiness_ok_and_says_so(
    sandbox, sandbox_connection, make_connection, refusing_endpoint, locmem_cache, settings
):
    settings.MODELARTS_RETRIES = 0
    sandbox.faults.error(503, operation="ShowPoolStatistics")
    make_connection("unreachable", endpoint=refusing_endpoint)

    status, report = ready()

    assert status == 200, "ModelArts is advisory: the dashboard still serves its pages"
    failing = upstream_check(report, "sandbox")
    assert failing.startswith("Warning: ") and "pool statistics" in failing and "503" in failing
    assert upstream_check(report, "unreachable").startswith("Warning: ")
    assert report["Database(alias='default')"] == "OK"


def test_a_slow_modelarts_is_reported_as_timed_out_without_holding_the_answer(
    sandbox, sandbox_connection, locmem_cache, settings
):
    settings.HEALTH_UPSTREAM_TIMEOUT_SECONDS = 0.2
    sandbox.faults.latency(1500, count=1, operation="ShowPoolStatistics")
    started = time.monotonic()
    status, report = ready()
    assert time.monotonic() - started < 1.4, "the answer came before the slow call ended"
    assert status == 200
    assert upstream_check(report, "sandbox").startswith("Unavailable: Timed out")
    time.sleep(1.5)  # the abandoned call finishes on its shared thread before the sandbox is reset


def test_upstream_checks_stuck_on_a_hanging_modelarts_never_delay_the_fatal_checks(
    sandbox, sandbox_connection, locmem_cache, settings, monkeypatch
):
    settings.HEALTH_UPSTREAM_TIMEOUT_SECONDS = 0.2
    # Every thread the upstream checks may use is busy (earlier probes, still waiting for ModelArts).
    stuck = threading.Event()
    busy = ThreadPoolExecutor(max_workers=1)
    busy.submit(stuck.wait, 10)
    monkeypatch.setattr(health, "_upstream_check_threads", busy)
    try:
        status, report = ready()
    finally:
        stuck.set()
        busy.shutdown(wait=True)
    assert status == 200
    assert report["Database(alias='default')"] == "OK" and report["Cache(alias='default')"] == "OK"
    assert upstream_check(report, "sandbox").startswith("Unavailable: Timed out")


def test_modelarts_down_shows_in_the_text_and_html_answers_too(sandbox, sandbox_connection, locmem_cache):
    sandbox.faults.error(503, operation="ShowPoolStatistics")
    text = get(READY, {"format": "text"})
    assert text.status_code == 200 and "connection='sandbox'" in text.content.decode()
    assert "Warning" in text.content.decode()
    page = get(READY, HTTP_ACCEPT="text/html")
    assert page.status_code == 200


@pytest.mark.parametrize("path", [LIVE, READY])
def test_the_html_page_uses_our_stylesheet_and_keeps_the_policy(path, settings, locmem_cache):
    page = get(path, HTTP_ACCEPT="text/html")

    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "<style" not in html and " style=" not in html
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)
    assert finders.find(stylesheet.removeprefix(settings.STATIC_URL))
    assert ("Database(alias=&#x27;default&#x27;)" in html) == (path == READY)


def test_the_html_page_is_in_chinese_too(locmem_cache):
    html = get(READY, HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()

    assert "系统状态" in html and 'lang="zh-hans"' in html


def test_a_failing_cache_makes_readiness_fail(settings):
    # A Redis nobody listens on: the cache check's set fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    status, report = ready()
    assert status == 500
    assert report["Cache(alias='default')"] != "OK"
    assert report["Database(alias='default')"] == "OK"


def break_the_database(monkeypatch, tmp_path) -> None:
    """New database connections fail: SQLite cannot open a folder; PostgreSQL finds nobody on port 9."""
    monkeypatch.setitem(connections["default"].settings_dict, "NAME", str(tmp_path))
    if connections["default"].vendor != "sqlite":
        monkeypatch.setitem(connections["default"].settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connections["default"].settings_dict, "PORT", "9")
    connections["default"].close()


def test_a_failing_database_makes_readiness_fail(monkeypatch, locmem_cache, tmp_path):
    break_the_database(monkeypatch, tmp_path)
    status, report = ready()
    assert status == 500
    assert report["Database(alias='default')"] != "OK"
