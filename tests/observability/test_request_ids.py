"""X-Request-ID: kept from a proxy when it is a plain token, made otherwise, sent back, and on every log line
of the request, in plain and in JSON logs (LOG_FORMAT=json)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from pools.observability.request_ids import NO_REQUEST, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]
HEADER = "X-Request-ID"


@pytest.fixture
def json_log():
    """The root logger writing through the console handler's JSON formatter and filter, as LOG_FORMAT=json
    configures it; yields a function returning the lines written so far, parsed."""
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_a_new_id_is_made_and_sent_back(client):
    first, second = client.get(reverse("login")), client.get(reverse("login"))
    assert len(first[HEADER]) == 32 and first[HEADER] != second[HEADER]


@pytest.mark.django_db
def test_a_proxys_id_is_kept(client):
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="edge-7f3a.01:9")[HEADER] == "edge-7f3a.01:9"


@pytest.mark.django_db
@pytest.mark.parametrize("claimed", ["has space", "line\nbreak", "x" * 65, "", "-starts-with-a-dash", "ü"])
def test_an_id_that_could_forge_or_bloat_log_lines_is_replaced(client, claimed):
    answered = client.get(reverse("login"), HTTP_X_REQUEST_ID=claimed)[HEADER]
    assert answered != claimed and len(answered) == 32


@pytest.mark.django_db
def test_even_a_refused_or_missing_page_carries_its_id(client):
    assert client.get("/no-such-page/", HTTP_X_REQUEST_ID="rid-404")[HEADER] == "rid-404"
    assert client.get("/metrics", HTTP_X_REQUEST_ID="rid-403")[HEADER] == "rid-403"


@pytest.mark.django_db
def test_every_json_line_of_a_request_parses_and_carries_its_id(
    json_log, viewer_client, seeded_sandbox, sandbox_connection, locmem_cache
):
    viewer_client.get(reverse("pools:pool_list"), HTTP_X_REQUEST_ID="rid-pools-1")
    viewer_client.get("/no-such-page/", HTTP_X_REQUEST_ID="rid-missing-2")
    lines = json_log()

    upstream = [line for line in lines if line["logger"] == "pools.modelarts"]
    assert len(upstream) >= 3, "the page read pools, usage and statistics, some on helper threads"
    assert {line["request_id"] for line in upstream} == {"rid-pools-1"}
    assert {line["modelarts_operation"] for line in upstream} >= {"ListPools", "ShowPoolStatistics"}
    assert all(line["modelarts_request_id"] and line["level"] == "INFO" and line["time"] for line in upstream)
    (not_found,) = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["request_id"] == "rid-missing-2" and not_found["level"] == "WARNING"


def test_lines_outside_a_request_say_so(json_log):
    logging.getLogger("pools.test").warning("between requests")
    (line,) = [line for line in json_log() if line["message"] == "between requests"]
    assert line["request_id"] == NO_REQUEST


def run_logging(log_format: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """A fresh process with LOG_FORMAT set, logging one line through the configured console handler."""
    environment = {**os.environ, "LOG_FORMAT": log_format, "VAR_DIR": str(tmp_path)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "import os, logging, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'modelarts_admin.settings'; "
        "django.setup(); logging.getLogger('pools.check').warning('configured %s', 'line')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_log_format_json_makes_the_console_write_json(tmp_path):
    result = run_logging("json", tmp_path)
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(text) for text in result.stderr.splitlines() if "configured" in text]
    assert line == {**line, "message": "configured line", "level": "WARNING", "logger": "pools.check"}
    assert line["request_id"] == NO_REQUEST


def test_log_format_plain_is_the_default_and_a_typo_fails_at_start(tmp_path):
    plain = run_logging("plain", tmp_path)
    assert f"WARNING pools.check [{NO_REQUEST}] configured line" in plain.stderr
    typo = run_logging("jsno", tmp_path)
    assert typo.returncode != 0 and "LOG_FORMAT must be plain or json" in typo.stderr
