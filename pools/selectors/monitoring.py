"""Monitoring series shaped for the page: a compact chart payload and CSV rows.

The chart payload is arrays, not objects: one shared list of timestamps (epoch seconds, what uPlot wants)
and one list of values per metric, so 4 metrics × 1440 points stay well under 100 KB.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

from pools.modelarts.metrics import MetricSeries, MonitorResult
from pools.spreadsheet import spreadsheet_cell

METRIC_LABELS = {
    "cpuUsage": _("CPU usage"),
    "memUsedRate": _("Memory used"),
    "gpuUtil": _("GPU utilisation"),
    "gpuMemUsage": _("GPU memory used"),
    "npuUtil": _("NPU utilisation"),
    "npuMemUsage": _("NPU memory used"),
    "diskCapacity": _("Disk capacity"),
    "diskAvailableCapacity": _("Disk available"),
    "diskUsedRate": _("Disk used"),
}
UNIT_LABELS = {"Percent": "%", "Megabytes": "MB"}
CSV_HEADER = ("metric", "label", "unit", "statistic", "timestamp_ms", "time_utc", "value")


class CompactJSONEncoder(DjangoJSONEncoder):
    """No spaces after separators: thousands of numbers per chart make them add up."""

    item_separator = ","
    key_separator = ":"


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name)


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


def _compact(value: float | None) -> float | int | None:
    if value is None:
        return None
    value = round(value, 3)
    return int(value) if value == int(value) else value


def chart_payload(result: MonitorResult, statistic: str) -> dict[str, Any]:
    """``{"statistic", "t": [seconds…], "series": [{"name", "label", "unit", "v": [value|None…]}…]}``.

    Every series is laid on the union of all timestamps (uPlot draws aligned data); a missing point or the
    API's "no data" is None, drawn as a gap.
    """
    seconds = sorted({point.timestamp_ms // 1000 for series in result.series for point in series.points})
    series_out = []
    for series in result.series:
        by_second = {point.timestamp_ms // 1000: point.values.get(statistic) for point in series.points}
        series_out.append(
            {
                "name": series.metric_name,
                "label": metric_label(series.metric_name),
                "unit": unit_label(series.unit),
                "v": [_compact(by_second.get(second)) for second in seconds],
            }
        )
    return {"statistic": statistic, "t": seconds, "series": series_out}


def _rows(series_list: Iterable[MetricSeries]) -> Iterable[tuple[Any, ...]]:
    for series in series_list:
        label, unit = metric_label(series.metric_name), unit_label(series.unit)
        for point in series.points:
            time_utc = datetime.fromtimestamp(point.timestamp_ms / 1000, tz=UTC).isoformat()
            for statistic, value in point.values.items():
                yield (
                    series.metric_name,
                    label,
                    unit,
                    statistic,
                    point.timestamp_ms,
                    time_utc,
                    "" if value is None else value,
                )


def monitor_csv(result: MonitorResult) -> str:
    """One row per metric, point and statistic; an empty value is the API's "no data".

    Metric names, units and statistics are ModelArts' text: every cell goes through ``spreadsheet_cell``, so
    none runs as a formula when the file is opened (values stay numbers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in _rows(result.series))
    return buffer.getvalue()
