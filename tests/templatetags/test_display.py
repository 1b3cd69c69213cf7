"""Template filters and tags of the pool pages (pools/templatetags/display.py)."""

from datetime import UTC, datetime

import pytest

from pools.modelarts.types import Node
from pools.templatetags import display


@pytest.mark.parametrize(
    ("phase", "css"),
    [
        ("Running", "ok"),
        ("Available", "ok"),
        ("Creating", "warn"),
        ("Deleting", "warn"),
        ("Abnormal", "err"),
        ("CreationFailed", "err"),
        ("Checking", "warn"),
        ("Mystery", ""),
    ],
)
def test_phase_colours(phase, css):
    assert display.phase_class(phase) == css


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(4, "4 s"), (59.9, "59 s"), (180, "3 min"), (7500, "2 h 5 min"), (7200, "2 h"), (273600, "3 d 4 h")],
)
def test_durations(seconds, text):
    assert display.duration(seconds) == text


def test_times_are_shown_in_utc_with_a_machine_readable_twin():
    moment = datetime(2025, 1, 1, 8, 0, 5, tzinfo=UTC)
    assert display.utc(moment) == "2025-01-01 08:00:05 UTC"
    assert str(display.timestamp(moment)) == (
        '<time datetime="2025-01-01T08:00:05+00:00" title="2025-01-01 08:00:05 UTC" data-local>'
        "2025-01-01 08:00:05 UTC</time>"
    )


def test_billing_labels():
    assert display.billing_mode("0") == "Pay-per-use"
    assert display.billing_mode("1") == "Yearly/monthly"
    assert display.billing_period("3", "2") == "3 months"
    assert display.billing_period("1", "3") == "1 year"
    assert display.billing_period("", "2") == ""


def test_node_resources_list_available_against_total_cpu_and_memory_first():
    node = Node.parse(
        {
            "metadata": {"name": "os-node-created-abcde"},
            "status": {
                "resources": {"nvidia.com/gpu": "8", "memory": "128Gi", "cpu": "32"},
                "availableResources": {"cpu": "28", "memory": "110Gi"},
            },
        }
    )
    assert display.node_resources(node) == [
        ("CPU", "28", "32"),
        ("Memory", "110.0 GiB", "128.0 GiB"),
        ("GPU", "", "8"),
    ]


@pytest.mark.parametrize(
    ("value", "key", "text"),
    [
        ("6270Mi", "memory", "6.1 GiB"),
        ("1536Gi", "memory", "1.5 TiB"),
        ("3920m", "cpu", "3.92"),
        (8, "nvidia.com/gpu", "8"),
        ("12345", "snt9", "12,345"),
        ("lots", "cpu", "lots"),
    ],
)
def test_amounts_are_shown_with_readable_units(value, key, text):
    assert display.amount(value, key) == text


def test_modelarts_statistics_time_is_shown_like_every_moment():
    # Go's time format, as ShowPoolStatistics sends operationTime (API reference §5.4).
    assert display.operation_time("2022-12-05 11:15:59.329633162 +0000 UTC") == display.timestamp(
        datetime(2022, 12, 5, 11, 15, 59, tzinfo=UTC)
    )
    assert display.operation_time("2022-12-05 13:15:59 +0200 CEST") == display.timestamp(
        datetime(2022, 12, 5, 11, 15, 59, tzinfo=UTC)
    )
    assert display.operation_time("yesterday\u202e") == "yesterday⟨U+202E⟩", "any other text as it came"
