"""Template filters and tags of the pool pages (pools/templatetags/display.py)."""

from datetime import UTC, datetime

import pytest

from pools.modelarts.types import Node, Pool
from pools.models import ChangeRequest
from pools.selectors.usage import UsageBar, UsageRow
from pools.templatetags import display
from pools.views.pools import PoolRow


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


HOSTILE = '<script>alert("x")</script>'


def hostile_pool(**status) -> Pool:
    """A pool whose every text field carries markup, as a compromised or buggy upstream might send."""
    return Pool.parse(
        {
            "metadata": {
                "name": 'pool-"quoted"',
                "creationTimestamp": "2025-01-01T08:00:05Z",
                "labels": {"os.modelarts/name": HOSTILE, "os.modelarts/workspace.id": "<ws>"},
                "annotations": {
                    "os.modelarts/description": HOSTILE,
                    "os.modelarts/billing.mode": "1",
                    "os.modelarts/period.type": "2",
                    "os.modelarts/period.num": "3",
                    "os.modelarts/auto.renew": "1",
                },
            },
            "spec": {"type": HOSTILE, "scope": [HOSTILE], "resources": [{"flavor": HOSTILE, "count": 4}]},
            "status": {
                "phase": "Running",
                "message": HOSTILE,
                "resources": {
                    "available": [{"flavor": HOSTILE, "count": 3}],
                    "abnormal": [{"flavor": HOSTILE, "count": 1}],
                },
                **status,
            },
        }
    )


def test_pool_rows_escape_everything_from_the_api():
    row = PoolRow(hostile_pool(), [], "/pools/1/pool-%22quoted%22/")
    html = str(display.pool_rows([row]))
    assert "<script>" not in html and html.count("&lt;script&gt;") == 6
    assert '<a href="/pools/1/pool-%22quoted%22/"><strong>&lt;script&gt;' in html
    assert '<div class="mono muted small">pool-&quot;quoted&quot;</div>' in html
    assert '<span class="badge ok">Running</span>' in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</span> × 4" in html
    assert (
        '<strong>4</strong><div class="small muted">3 available · <span class="err">1 abnormal</span>' in html
    )
    assert "Yearly/monthly<div" in html and "3 months · auto-renew" in html
    assert '<td class="mono small">&lt;ws&gt;</td>' in html
    assert '<time datetime="2025-01-01T08:00:05+00:00"' in html


def test_pool_rows_mark_changing_pools_and_open_requests():
    creating = PoolRow(
        Pool.parse({"metadata": {"name": "p-1"}, "status": {"phase": "Creating"}}), [], "/p-1/"
    )
    requested = ChangeRequest(pk=7, kind=ChangeRequest.Kind.DELETE_POOL)
    running = PoolRow(
        Pool.parse({"metadata": {"name": "p-2"}, "status": {"phase": "Running"}}), [requested], "/p-2/"
    )
    html = str(display.pool_rows([creating, running]))
    assert '<tr class="highlight changing" data-phase="Creating">' in html
    assert '<tr class="has-requests" data-phase="Running">' in html
    assert 'href="/requests/7/" title="Open change request #7">Delete pool requested</a>' in html


def test_usage_rows_escape_and_link_each_pool():
    rows = [
        UsageRow(
            'pool-"a"',
            HOSTILE,
            (UsageBar("cpu", "16", "32"), UsageBar(HOSTILE, "1", "0")),
        )
    ]
    html = str(display.usage_rows(rows, 3))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/pools/3/pool-%22a%22/">' in html
    assert '<span class="usage-text">16 / 32 · <strong>50 %</strong></span>' in html
    assert (
        '<meter min="0" max="100" low="70" high="90" optimum="40" value="50" aria-label="CPU allocated">'
        in html
    )
    assert html.count("<meter") == 1, "no meter without a capacity"


def test_a_pool_row_is_written_once_per_pool_object_and_link():
    pool = Pool.parse({"metadata": {"name": "p-3"}, "status": {"phase": "Running"}})
    first = display._written_row(PoolRow(pool, [], "/p-3/"))

    assert display._written_row(PoolRow(pool, [], "/p-3/")) is first  # kept
    assert "/other/p-3/" in display._written_row(PoolRow(pool, [], "/other/p-3/"))  # another link
    same_json = Pool.parse({"metadata": {"name": "p-3"}, "status": {"phase": "Abnormal"}})
    assert 'data-phase="Abnormal"' in display._written_row(PoolRow(same_json, [], "/p-3/"))


def test_a_row_with_open_requests_is_written_each_time_and_a_dead_pools_row_is_forgotten():
    pool = Pool.parse({"metadata": {"name": "p-4"}, "status": {"phase": "Running"}})
    requested = ChangeRequest(pk=8, kind=ChangeRequest.Kind.DELETE_POOL)
    assert "/requests/8/" in display._written_row(PoolRow(pool, [requested], "/p-4/"))
    assert id(pool) not in display._written_rows

    display._written_row(PoolRow(pool, [], "/p-4/"))
    key = id(pool)
    assert key in display._written_rows
    del pool
    assert key not in display._written_rows
