"""The Monitoring tab: charts of every metric, the range and period pickers, the 1440-point rule, CSV."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from tests.fixtures.pool_pages import FAULT_MODES, hx_get
from tests.fixtures.sandbox import pool_id

pytestmark = pytest.mark.django_db

CHART_DATA = re.compile(r'<script id="monitor-data" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def infer(seeded_sandbox, sandbox_connection):
    """Monitoring and CSV URLs of the running T4 inference pool."""
    name = pool_id(seeded_sandbox, "infer-t4")
    return {
        "page": reverse("pools:pool_monitoring", args=[sandbox_connection.pk, name]),
        "csv": reverse("pools:pool_monitoring_csv", args=[sandbox_connection.pk, name]),
    }


def chart_data(html: str) -> dict:
    return json.loads(CHART_DATA.search(html).group(1))


def monitor_query(sandbox) -> str:
    return sandbox.call_log("ShowPoolMonitor")[-1].query


def test_the_tab_draws_a_chart_for_every_metric_the_api_returns(browse, seeded_sandbox, infer):
    response = browse.get(infer["page"])
    html = response.content.decode()
    assert response.status_code == 200
    data = chart_data(html)
    names = [series["name"] for series in data["series"]]
    assert {"cpuUsage", "memUsedRate", "gpuUtil", "gpuMemUsage"} <= set(names)
    assert html.count('<figure class="chart card"') == len(names)
    assert len(data["t"]) == 60 and all(len(series["v"]) == 60 for series in data["series"])
    assert data["statistic"] == "average"
    assert "CPU usage" in html and "(%)" in html
    assert "vendor/uplot/uPlot.iife.min.js" in html and "vendor/uplot/uPlot.min.css" in html
    assert "js/monitoring.js" in html
    query = monitor_query(seeded_sandbox)
    assert "time_range=-1.-1.60" in query and "period=60" in query and "statistics=average" in query


def test_the_htmx_request_gets_only_the_tab_with_its_data(browse, seeded_sandbox, infer):
    html = hx_get(browse, infer["page"], range="6h", statistics="maximum").content.decode()
    assert html.lstrip().startswith('<div id="pool-tab"') and "<html" not in html
    assert chart_data(html)["statistic"] == "maximum" and len(chart_data(html)["t"]) == 360


@pytest.mark.parametrize(
    ("preset", "minutes", "period"), [("1h", 60, 60), ("24h", 1440, 60), ("7d", 10080, 900)]
)
def test_each_preset_asks_for_the_smallest_valid_period(
    browse, seeded_sandbox, infer, preset, minutes, period
):
    html = browse.get(infer["page"], {"range": preset}).content.decode()
    query = monitor_query(seeded_sandbox)
    assert f"time_range=-1.-1.{minutes}" in query and f"period={period}" in query
    assert f"One point per {period} s" in html


def test_a_period_that_breaks_the_rule_is_explained_and_nothing_is_asked(browse, seeded_sandbox, infer):
    response = browse.get(infer["page"], {"range": "7d", "period": "60"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="field-error period-error"' in html
    assert "10080 points" in html and "1440" in html and "smallest valid period is 900" in html
    assert seeded_sandbox.calls("ShowPoolMonitor") == 0
    assert "monitor-data" not in html


def test_a_custom_range_in_the_browsers_time_zone(browse, seeded_sandbox, infer):
    html = browse.get(
        infer["page"], {"range": "custom", "start": "2026-01-01T10:00", "end": "2026-01-03T10:00", "tz": "60"}
    ).content.decode()
    query = monitor_query(seeded_sandbox)
    # 10:00 at UTC+01:00 is 09:00 UTC; two days at one point a minute would be 2880, so 5 minutes.
    assert "time_range=1767258000000.1767430800000.2880" in query and "period=300" in query
    assert 'value="2026-01-01T10:00"' in html, "the form keeps what was typed"


def test_a_page_of_four_metrics_at_1440_points_stays_small(browse, seeded_sandbox, sandbox_connection):
    cpu_pool = pool_id(seeded_sandbox, "notebook-cpu")
    url = reverse("pools:pool_monitoring", args=[sandbox_connection.pk, cpu_pool])
    html = hx_get(browse, url, range="24h").content.decode()
    data = chart_data(html)
    assert len(data["t"]) == 1440
    per_series = len(CHART_DATA.search(html).group(1)) / max(1, len(data["series"]))
    assert 4 * per_series < 100_000, "4 metrics × 1440 points fit in 100 KB"


def test_csv_download_of_the_series(browse, seeded_sandbox, infer):
    response = browse.get(infer["csv"], {"range": "1h", "statistics": "maximum"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    metrics = {row["metric"] for row in rows}
    assert {"cpuUsage", "gpuUtil"} <= metrics
    assert {row["statistic"] for row in rows} == {"maximum"}
    assert len(rows) == 60 * len(metrics)
    assert rows[0]["time_utc"].endswith("+00:00") and rows[0]["unit"] in {"%", "MB"}


def test_the_page_links_the_csv_of_what_it_shows(browse, seeded_sandbox, infer):
    html = browse.get(infer["page"], {"range": "6h"}).content.decode()
    assert f'href="{infer["csv"]}?range=6h"' in html


def test_csv_with_a_broken_period_says_why(browse, seeded_sandbox, infer):
    response = browse.get(infer["csv"], {"range": "7d", "period": "60"})
    assert response.status_code == 400 and "1440" in response.content.decode()
    assert seeded_sandbox.calls("ShowPoolMonitor") == 0


@pytest.mark.parametrize("mode", list(FAULT_MODES))
def test_each_upstream_failure_is_a_banner_with_the_last_good_charts(browse, seeded_sandbox, infer, mode):
    inject, error_code, text = FAULT_MODES[mode]
    browse.get(infer["page"])
    inject(seeded_sandbox, "ShowPoolMonitor")
    response = hx_get(browse, infer["page"], refresh="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reading the monitoring data of pool" in html and text in html and error_code in html
    assert "Showing the last good data" in html and len(chart_data(html)["t"]) == 60


def test_a_failed_csv_download_says_what_failed(browse, seeded_sandbox, infer):
    seeded_sandbox.faults.error(503, operation="ShowPoolMonitor")
    response = browse.get(infer["csv"])
    body = response.content.decode()
    assert response.status_code == 502
    assert "APIG.0202" in body and "request_id" in body
