"""The browse selectors against the sandbox over HTTP: typed answers, coalescing under load, failures."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django.urls import reverse

from pools.modelarts.timerange import TimeRange
from pools.selectors import modelarts as selectors
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = pytest.mark.django_db

THREADS = 8


def llm_pool(sandbox) -> str:
    return next(
        pool["metadata"]["name"]
        for pool in sandbox.pools(PROJECT_ID)
        if pool["metadata"]["labels"]["os.modelarts/name"] == "llm-pretrain"
    )


def run_together(count, call):
    """``call()`` from ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def one(_):
        barrier.wait(timeout=10)
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize(
    ("operation", "read"),
    [
        ("ListPools", lambda c, s: selectors.pool_list(connection=c)),
        ("ShowPool", lambda c, s: selectors.pool_get(connection=c, name=llm_pool(s))),
        ("ListPoolNodes", lambda c, s: selectors.node_page(connection=c, pool_name=llm_pool(s))),
        ("ShowPoolRuntimeMetrics", lambda c, s: selectors.runtime_metrics(connection=c)),
        ("ShowPoolStatistics", lambda c, s: selectors.pool_statistics(connection=c)),
        (
            "ShowPoolMonitor",
            lambda c, s: selectors.pool_monitor(
                connection=c,
                pool_name=llm_pool(s),
                time_range=TimeRange.last(60),
                statistics="average",
                period=60,
            ),
        ),
    ],
)
def test_concurrent_identical_reads_make_one_upstream_call(
    shared_cache, seeded_sandbox, sandbox_connection, operation, read
):
    # Slow answers, so the callers really are waiting for the same call.
    seeded_sandbox.faults.latency(300, operation=operation)
    results = run_together(THREADS, lambda: read(sandbox_connection, seeded_sandbox))
    assert seeded_sandbox.calls(operation) == 1
    assert all(result.ok and result.value is not None for result in results)
    assert len({result.fetched_at for result in results}) == 1


def test_concurrent_refreshes_make_one_upstream_call(shared_cache, seeded_sandbox, sandbox_connection):
    selectors.pool_list(connection=sandbox_connection)
    seeded_sandbox.faults.latency(300, operation="ListPools")
    run_together(THREADS, lambda: selectors.pool_list(connection=sandbox_connection, refresh=True))
    assert seeded_sandbox.calls("ListPools") == 2


def test_concurrent_reads_during_an_outage_make_one_call_and_share_the_banner(
    shared_cache, fail_fast, seeded_sandbox, sandbox_connection
):
    seeded_sandbox.faults.error(503, operation="ListPools")
    seeded_sandbox.faults.latency(300, operation="ListPools")
    results = run_together(THREADS, lambda: selectors.pool_list(connection=sandbox_connection))
    assert seeded_sandbox.calls("ListPools") == 1
    assert {result.error.details["error_code"] for result in results} == {"APIG.0202"}


def test_concurrent_page_views_make_one_upstream_call(transactional_db, locmem_cache, seeded_sandbox, viewer):
    from tests.fixtures.connections import build_connection
    from tests.fixtures.sandbox import AK, SK

    connection = build_connection(
        "sandbox", access_key=AK, secret_key=SK, project_id=PROJECT_ID, endpoint=seeded_sandbox.url
    )
    seeded_sandbox.faults.latency(300, operation="ListPools")
    clients = [Client() for _ in range(THREADS)]
    for client in clients:
        client.force_login(viewer)
    url = reverse("pools:pool_list")
    responses = run_together(THREADS, lambda: clients.pop().get(url, {"connection": connection.pk}))
    assert all(response.status_code == 200 and b"llm-pretrain" in response.content for response in responses)
    # The list shows every workspace: one ListPools per workspace, shared by every viewer.
    assert seeded_sandbox.calls("ListPools") == 2
    assert seeded_sandbox.calls("ShowPoolRuntimeMetrics") == 1


def test_pool_list_is_typed_and_keyed_by_its_filters(locmem_cache, seeded_sandbox, sandbox_connection):
    everything = selectors.pool_list(connection=sandbox_connection)
    failed = selectors.pool_list(connection=sandbox_connection, status="failed")
    assert {pool.display_name for pool in failed.value.items} == {"npu-infer-trial"}
    assert len(everything.value.items) == 6
    assert seeded_sandbox.calls("ListPools") == 2


def test_an_edited_connection_never_sees_answers_from_before_the_edit(
    locmem_cache, seeded_sandbox, sandbox_connection
):
    selectors.pool_list(connection=sandbox_connection)
    sandbox_connection.description = "edited"
    sandbox_connection.save()
    selectors.pool_list(connection=sandbox_connection)
    assert seeded_sandbox.calls("ListPools") == 2


def test_node_scan_without_a_filter_is_one_page(locmem_cache, seeded_sandbox, sandbox_connection):
    read = selectors.node_scan(connection=sandbox_connection, pool_name=llm_pool(seeded_sandbox))
    assert len(read.value.items) == selectors.NODE_PAGE_SIZE and read.value.pages_read == 1
    assert read.value.continue_token and read.value.remaining == 520 - selectors.NODE_PAGE_SIZE


def test_a_filtered_node_scan_searches_every_node_in_the_largest_pages(
    locmem_cache, seeded_sandbox, sandbox_connection
):
    read = selectors.node_scan(
        connection=sandbox_connection, pool_name=llm_pool(seeded_sandbox), phase="Abnormal"
    )
    assert [node.phase for node in read.value.items] == ["Abnormal"] * 4
    assert read.value.nodes_scanned == 520 and read.value.pages_read == 2
    assert read.value.continue_token is None and not read.value.capped
    assert all(f"limit={selectors.NODE_FILTER_PAGE_SIZE}" in call.query for call in seeded_sandbox.call_log())


def test_node_scan_stops_at_the_bound_and_says_so(locmem_cache, seeded_sandbox, sandbox_connection):
    read = selectors.node_scan(
        connection=sandbox_connection,
        pool_name=llm_pool(seeded_sandbox),
        phase="Checking",
        limit=50,
        max_pages=3,
    )
    assert read.value.items == () and read.value.pages_read == 3 and read.value.nodes_scanned == 150
    assert read.value.continue_token and read.value.capped and read.value.remaining == 370
    assert seeded_sandbox.calls("ListPoolNodes") == 3


def test_a_filtered_scan_stops_once_it_has_a_page_of_matches(
    locmem_cache, seeded_sandbox, sandbox_connection
):
    read = selectors.node_scan(
        connection=sandbox_connection, pool_name=llm_pool(seeded_sandbox), phase="Available", limit=50
    )
    assert len(read.value.items) >= selectors.NODE_PAGE_SIZE and read.value.pages_read <= 2
    assert read.value.continue_token and not read.value.capped, "more to show, not a limit reached"


def test_a_failure_in_the_middle_of_a_scan_keeps_what_was_found_and_where_to_resume(
    locmem_cache, fail_fast, seeded_sandbox, sandbox_connection
):
    pool = llm_pool(seeded_sandbox)
    first = selectors.node_page(connection=sandbox_connection, pool_name=pool, limit=100)
    second = selectors.node_page(
        connection=sandbox_connection, pool_name=pool, continue_token=first.value.continue_token, limit=100
    )
    seeded_sandbox.faults.error(500, operation="ListPoolNodes")
    read = selectors.node_scan(connection=sandbox_connection, pool_name=pool, phase="Checking", limit=100)
    assert read.error.details["error_code"] == "ModelArts.50005000"
    assert read.value.pages_read == 2, "the first two pages came from the cache"
    assert read.value.continue_token == second.value.continue_token, "resume at the page that failed"
    assert not read.value.capped


def test_a_read_with_nothing_to_show_has_only_the_error(
    locmem_cache, fail_fast, seeded_sandbox, sandbox_connection
):
    seeded_sandbox.faults.drop(operation="ShowPool")
    read = selectors.pool_get(connection=sandbox_connection, name=llm_pool(seeded_sandbox))
    assert read.value is None and not read.stale
    assert read.error.upstream.kind == "transport"
    assert read.error.message.startswith("Reading pool llm-pretrain-")


def test_the_monitoring_chart_is_cached_in_its_drawn_shape(locmem_cache, seeded_sandbox, sandbox_connection):
    def chart():
        return selectors.pool_monitor_chart(
            connection=sandbox_connection,
            pool_name=llm_pool(seeded_sandbox),
            time_range=TimeRange.last(60),
            statistics="maximum",
            period=60,
        )

    first, second = chart(), chart()
    assert seeded_sandbox.calls("ShowPoolMonitor") == 1
    assert first.value == second.value and first.value["statistic"] == "maximum"
    assert len(first.value["t"]) == 60
    assert {"cpuUsage", "npuUtil"} <= {series["name"] for series in first.value["series"]}
    assert all(len(series["v"]) == 60 for series in first.value["series"])


# --- Workspaces: which there are, and the pools of all of them as one read ---


def test_the_workspaces_are_the_default_ones_and_every_one_the_usage_names(
    locmem_cache, seeded_sandbox, sandbox_connection
):
    from pools.sandbox.seed import VISION_WORKSPACE

    sandbox_connection.workspace_id = "team-default"
    read = selectors.known_workspaces(connection=sandbox_connection)

    assert read.ok and read.value == ("0", "team-default", VISION_WORKSPACE)


def test_without_the_usage_the_workspaces_are_the_ones_known_without_it(
    locmem_cache, fail_fast, seeded_sandbox, sandbox_connection
):
    seeded_sandbox.faults.error(500, operation="ShowPoolRuntimeMetrics")

    read = selectors.known_workspaces(connection=sandbox_connection)

    assert read.value == ("0",) and read.error.details["error_code"] == "ModelArts.50005000"


def test_the_pools_of_every_workspace_read_as_one(locmem_cache, seeded_sandbox, sandbox_connection):
    workspaces = selectors.known_workspaces(connection=sandbox_connection).value
    reads = [
        read()
        for read in selectors.workspace_pool_reads(connection=sandbox_connection, workspaces=workspaces)
    ]

    merged = selectors.pools_of_workspaces(workspaces, reads)

    assert merged.ok and merged.value.missing == ()
    assert len(merged.value.items) == 7 and merged.fetched_at == min(read.fetched_at for read in reads)
    assert selectors.pools_by_phase(merged.value.items) == [
        ("Creating", 1),
        ("Running", 4),
        ("Error", 1),
        ("Waiting", 1),
    ]


def test_a_failed_workspace_read_is_missing_from_the_whole_and_its_error_kept():
    from datetime import UTC, datetime

    from pools.core.errors import ApplicationError
    from pools.selectors.cache import ReadResult

    good = ReadResult(type("Answer", (), {"items": ("a-pool",)})(), datetime(2025, 1, 1, tzinfo=UTC))
    failed = ReadResult(None, None, error=ApplicationError("Listing failed"))

    merged = selectors.pools_of_workspaces(["0", "w1"], [good, failed])
    nothing = selectors.pools_of_workspaces(["w1"], [failed])

    assert merged.value.items == ("a-pool",) and merged.value.missing == ("w1",)
    assert merged.error is failed.error and not merged.stale
    assert nothing.value is None and nothing.error is failed.error
