"""The rows of the pool list (its partial pool-rows, written by pools/templatetags/pool_rows.py) and of the
overview cards (usage-rows): every value from ModelArts escaped, invisible characters revealed, the marks
and links each row needs."""

from django.template.loader import render_to_string

from pools.modelarts.types import Pool
from pools.models import ChangeRequest
from pools.selectors.usage import UsageBar, UsageRow
from pools.views.pools import PoolRow


def rows_html(rows) -> str:
    return render_to_string("pools/pool_list.html#pool-rows", {"rows": rows})


def usage_html(rows, connection_id: int) -> str:
    return render_to_string(
        "pools/overview.html#usage-rows", {"card": {"rows": rows, "connection": {"pk": connection_id}}}
    )


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


def test_pool_list_rows_escape_everything_from_the_api():
    row = PoolRow(hostile_pool(), [], "/pools/1/pool-%22quoted%22/")
    html = rows_html([row])
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


def test_pool_list_rows_mark_changing_pools_and_open_requests():
    creating = PoolRow(
        Pool.parse({"metadata": {"name": "p-1"}, "status": {"phase": "Creating"}}), [], "/p-1/"
    )
    requested = ChangeRequest(pk=7, kind=ChangeRequest.Kind.DELETE_POOL)
    running = PoolRow(
        Pool.parse({"metadata": {"name": "p-2"}, "status": {"phase": "Running"}}), [requested], "/p-2/"
    )
    html = rows_html([creating, running])
    assert '<tr class="highlight changing" data-phase="Creating">' in html
    assert '<tr class="has-requests" data-phase="Running">' in html
    assert 'href="/requests/7/" title="Open change request #7">Delete pool requested</a>' in html


def test_overview_usage_rows_escape_and_link_each_pool():
    rows = [
        UsageRow(
            'pool-"a"',
            HOSTILE,
            (UsageBar("cpu", "16", "32"), UsageBar(HOSTILE, "1", "0")),
        )
    ]
    html = usage_html(rows, 3)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/pools/3/pool-%22a%22/">' in html
    assert '<span class="usage-text">16 / 32 · <strong>50 %</strong></span>' in html
    assert (
        '<meter min="0" max="100" low="70" high="90" optimum="40" value="50" aria-label="CPU allocated">'
        in html
    )
    assert html.count("<meter") == 1, "no meter without a capacity"
