"""The pool list: columns, API filters, local search and sort, polling while pools change, banners."""

import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from pools import permissions
from tests.fixtures.approvals import wait_until
from tests.fixtures.pool_pages import FAULT_MODES, hx_get
from tests.fixtures.sandbox import AK, PROJECT_ID, pool_body, signed_request
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db

LIST = reverse("pools:pool_list")
DEMO_DEFAULT_WORKSPACE = {
    "llm-pretrain",
    "infer-t4",
    "notebook-cpu",
    "ant8-expansion",
    "npu-infer-trial",
    "finance-batch",
}
DEMO_POOLS = DEMO_DEFAULT_WORKSPACE | {"vision-train"}  # vision-train lives in a workspace of its own


def shown_pools(html: str) -> list[str]:
    return re.findall(r"<strong>([\w-]+)</strong></a>", html)


def test_the_list_shows_every_column(browse, seeded_sandbox):
    response = browse.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(shown_pools(html)) == DEMO_POOLS
    assert "Foundation-model pre-training cluster (Ascend)" in html  # description
    assert "modelarts.bm.npu.arm.8snt9b3.d</span> × 520" in html  # flavors × counts
    assert "<strong>520</strong>" in html and "4 abnormal" in html  # node counts
    assert '<span class="badge ok">Running</span>' in html
    assert (
        '<span class="badge err">Error</span>' in html and '<span class="badge warn">Waiting</span>' in html
    )
    assert "Yearly/monthly" in html and "1 year" in html and "auto-renew" in html and "Pay-per-use" in html
    assert "Dedicate" in html and "Logical" in html and "Train" in html
    assert "<time datetime=" in html
    assert 'id="pool-table"' in html and "<form" in html


def test_the_page_holds_the_same_table_the_htmx_request_gets(browse, seeded_sandbox):
    page = browse.get(LIST).content.decode()
    table = hx_get(browse, LIST).content.decode()

    assert page.count('id="pool-table"') == 1 and "<!--later:" not in page
    assert re.sub(r"\s+", " ", table.strip()) in re.sub(r"\s+", " ", page)
    assert page.index("</form>") < page.index('id="pool-table"') < page.index("</main>")


def test_the_htmx_request_gets_only_the_table(browse, seeded_sandbox):
    html = hx_get(browse, LIST).content.decode()
    assert html.lstrip().startswith('<div id="pool-table"')
    assert "<html" not in html and "<form" not in html


def test_workspace_and_labels_go_to_the_api_and_the_status_is_filtered_here(browse, seeded_sandbox):
    html = browse.get(LIST, {"status": "Error", "labels": "team=serving", "workspace": "0"}).content.decode()
    assert shown_pools(html) == ["npu-infer-trial"]
    (call,) = seeded_sandbox.call_log("ListPools")
    assert "labelSelector=team%3Dserving" in call.query and "workspaceId=0" in call.query
    assert "status=" not in call.query, "ListPools' status groups phases under other words than the badges"


def test_another_workspace(browse, seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    html = browse.get(LIST, {"workspace": VISION_WORKSPACE}).content.decode()
    assert shown_pools(html) == ["vision-train"]


def test_search_and_sort_happen_here_from_one_cached_read(browse, seeded_sandbox):
    html = browse.get(LIST, {"q": "INFER"}).content.decode()
    assert sorted(shown_pools(html)) == ["infer-t4", "npu-infer-trial"]
    assert "2 of 7 pools" in html
    by_nodes = shown_pools(browse.get(LIST, {"sort": "-nodes"}).content.decode())
    assert by_nodes[0] == "llm-pretrain" and by_nodes[-1] in {"finance-batch", "notebook-cpu"}
    by_name = shown_pools(browse.get(LIST, {"sort": "-name"}).content.decode())
    assert by_name == sorted(DEMO_POOLS, reverse=True)
    assert seeded_sandbox.calls("ListPools") == 2, "one read per workspace, cached"


def test_bad_filters_are_field_errors_and_nothing_is_asked(browse, seeded_sandbox):
    response = browse.get(LIST, {"status": "exploded", "workspace": "a/b"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="status"' in html and 'data-field="workspace"' in html
    assert seeded_sandbox.calls() == 0


def test_the_table_polls_while_pools_change_and_stops_when_nothing_does(browse, seeded_sandbox):
    html = hx_get(browse, LIST).content.decode()
    assert "ant8-expansion" in html and 'hx-trigger="every 5s' in html and "data-poll-visible-only" in html
    creating_row = re.search(r'<tr class="([^"]*)"[^>]*data-phase="Creating"', html)
    assert "changing" in creating_row.group(1)
    seeded_sandbox.advance(3600)  # ant8-expansion finishes; the unpaid pool keeps waiting for its order
    seeded_sandbox.clear_calls()
    html = hx_get(browse, LIST, refresh="1").content.decode()
    assert seeded_sandbox.calls("ListPools") == 2  # one per workspace
    assert "Waiting" in html and "Creating" not in html
    assert "hx-trigger" not in html, "nothing is being created or deleted: the polling stops"


def test_a_deleting_pool_starts_the_polling(browse, sandbox, sandbox_connection):
    created = sandbox.create_pool(PROJECT_ID, pool_body("steady-pool"))
    sandbox.settle()
    html = hx_get(browse, LIST).content.decode()
    assert "steady-pool" in html and "hx-trigger" not in html
    signed_request("DELETE", f"{sandbox.url}/v2/{PROJECT_ID}/pools/{created['metadata']['name']}")
    html = hx_get(browse, LIST, refresh="1").content.decode()
    assert 'data-phase="Deleting"' in html and 'hx-trigger="every 5s' in html


def test_a_scaling_pool_starts_the_polling_until_its_nodes_are_made(browse, sandbox, sandbox_connection):
    created = sandbox.create_pool(PROJECT_ID, pool_body("growing-pool"))
    sandbox.settle()
    name = created["metadata"]["name"]
    flavor = created["spec"]["resources"][0]["flavor"]
    count = created["spec"]["resources"][0]["count"]
    grown = signed_request(
        "PATCH",
        f"{sandbox.url}/v2/{PROJECT_ID}/pools/{name}",
        json={"spec": {"resources": [{"flavor": flavor, "count": count + 1}]}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert grown.status_code == 200
    html = hx_get(browse, LIST, refresh="1").content.decode()
    row = re.search(r'<tr class="([^"]*)"[^>]*data-phase="Running"[^>]*>.*?growing-pool', html, re.S)
    assert row and "changing" in row.group(1), "a Running pool whose nodes are being made is changing"
    assert 'hx-trigger="every 5s' in html
    sandbox.settle()
    html = hx_get(browse, LIST, refresh="1").content.decode()
    assert "hx-trigger" not in html, "the new node is made: the polling stops"


def test_the_connection_can_be_chosen_in_the_query(
    browse, seeded_sandbox, sandbox_connection, make_connection
):
    make_connection("aaa-first-by-name")  # would be the default pick
    html = browse.get(LIST, {"connection": sandbox_connection.pk}).content.decode()
    assert "llm-pretrain" in html
    assert f'name="connection" value="{sandbox_connection.pk}"' in html


def test_without_any_connection_the_page_says_so(viewer_client, locmem_cache):
    html = viewer_client.get(LIST).content.decode()
    assert "There is no connection to browse yet." in html


@pytest.mark.parametrize("mode", list(FAULT_MODES))
def test_each_upstream_failure_is_a_banner(browse, seeded_sandbox, mode):
    inject, error_code, text = FAULT_MODES[mode]
    inject(seeded_sandbox, "ListPools")
    response = browse.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "upstream-error" in html and "Listing the pools of connection" in html
    assert text in html and error_code in html
    assert "Request id" in html
    assert "There is no earlier data to show." in html
    wait_for_late_answers(seeded_sandbox, mode, 2)


def wait_for_late_answers(sandbox, mode: str, calls: int) -> None:
    """A read that timed out is still answered later (and logged then): let it land in this test, not in a
    later one that counts ListPools calls."""
    if mode == "latency-past-timeout":
        wait_until(lambda: sandbox.calls("ListPools") >= calls, what="the late ListPools answers")


@pytest.mark.parametrize("mode", list(FAULT_MODES))
def test_after_a_good_read_a_failure_keeps_the_data_marked_stale(browse, seeded_sandbox, mode):
    inject, error_code, text = FAULT_MODES[mode]
    browse.get(LIST)
    inject(seeded_sandbox, "ListPools")
    html = hx_get(browse, LIST, refresh="1").content.decode()
    assert text in html and error_code in html
    assert "Showing the last good data" in html and "Stale: data from" in html
    assert set(shown_pools(html)) == DEMO_POOLS
    assert 'class="pools stale"' in html
    wait_for_late_answers(seeded_sandbox, mode, 4)


def test_the_banner_names_the_request_id_modelarts_gave(browse, seeded_sandbox):
    seeded_sandbox.faults.error(500)
    html = browse.get(LIST).content.decode()
    # Any of the failed ListPools calls (a browser test's leftover poll may have called the shared sandbox too).
    failed_ids = [call.request_id for call in seeded_sandbox.call_log("ListPools") if call.status == 500]
    assert failed_ids and any(f"<code>{request_id}</code>" in html for request_id in failed_ids)


def test_a_failure_first_read_in_english_shows_in_chinese_to_the_next_reader(
    browse, seeded_sandbox, django_user_model
):
    seeded_sandbox.faults.error(500, operation="ListPools")
    english = browse.get(LIST).content.decode()
    assert "Listing the pools of connection “sandbox” failed: ModelArts had a server error." in english
    calls = len(seeded_sandbox.call_log("ListPools"))

    reader = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    reader.force_login(make_user(django_user_model, "lin-viewer", permissions.VIEWER))
    chinese = reader.get(LIST).content.decode()
    assert len(seeded_sandbox.call_log("ListPools")) == calls, "the failure came from the cache"
    assert (
        "列出连接“sandbox”的资源池失败：ModelArts 服务器出错。" in chinese and "ModelArts.50005000" in chinese
    )
    assert "Listing the pools" not in chinese and "server error" not in chinese


def test_wrong_keys_give_the_authentication_banner(browse, seeded_sandbox, make_connection):
    wrong = make_connection(
        "wrong-keys",
        access_key=AK,
        secret_key="not-the-secret",
        project_id=PROJECT_ID,
        endpoint=seeded_sandbox.url,
    )
    html = browse.get(LIST, {"connection": wrong.pk}).content.decode()
    assert "ModelArts refused the credentials" in html and "APIG.0301" in html and "401" in html
    assert "not-the-secret" not in html


def test_a_connection_the_client_cannot_use_is_a_banner(browse, make_connection):
    odd = make_connection("odd-endpoint", endpoint="ftp://modelarts.example.test")
    response = browse.get(LIST, {"connection": odd.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Listing the pools of connection “odd-endpoint” failed" in html and "http or https" in html


def test_pools_with_open_change_requests_are_marked(browse, seeded_sandbox, sandbox_connection, operator):
    from pools.services.change_requests import change_request_create

    infer = next(
        pool["metadata"]["name"]
        for pool in seeded_sandbox.pools(PROJECT_ID)
        if pool["metadata"]["labels"]["os.modelarts/name"] == "infer-t4"
    )
    change_request = change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=infer,
        body=None,
        reason="The service moved to the new cluster.",
        idempotency_key="browse-marks-open-requests",
    )
    html = browse.get(LIST).content.decode()
    marked = re.findall(r'<tr class="[^"]*has-requests[^"]*"[^>]*>.*?<strong>([\w-]+)</strong>', html, re.S)
    assert marked == ["infer-t4"]
    link = reverse("pools:change_request_detail", args=[change_request.pk])
    assert f'href="{link}"' in html and "Delete pool requested" in html
    detail = browse.get(reverse("pools:pool_detail", args=[sandbox_connection.pk, infer])).content.decode()
    assert f"#{change_request.pk} Delete pool (Pending approval)" in detail


# --- Workspaces: every one by default, or one picked; counts that agree everywhere ---


def test_all_workspaces_is_the_default_and_the_list_says_so(browse, seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    html = browse.get(LIST).content.decode()

    assert set(shown_pools(html)) == DEMO_POOLS
    assert f"7 of 7 pools in all workspaces (0, {VISION_WORKSPACE})" in html
    assert 'placeholder="All workspaces" list="workspace-choices"' in html
    assert re.findall(r'<option value="([^"]*)"', html.split('<datalist id="workspace-choices">')[1]) == [
        "0",
        VISION_WORKSPACE,
    ]
    # ListPools reads one workspace ("0" when none is named): one read per workspace the usage names.
    assert sorted(call.query for call in seeded_sandbox.call_log("ListPools")) == sorted(
        [f"workspaceId={VISION_WORKSPACE}", "workspaceId=0"]
    )
    assert seeded_sandbox.calls("ShowPoolRuntimeMetrics") == 1


def test_one_workspace_says_which_and_links_back_to_all(browse, seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    html = browse.get(LIST, {"workspace": VISION_WORKSPACE, "q": "vision"}).content.decode()

    assert shown_pools(html) == ["vision-train"]
    assert f"1 of 1 pool in workspace {VISION_WORKSPACE}" in html
    assert f'<a href="{LIST}?q=vision">all workspaces</a>' in html
    assert f'<option value="{VISION_WORKSPACE}">' in html, "the other workspaces stay offered"


def test_a_typed_workspace_nobody_knows_is_asked_for(browse, seeded_sandbox):
    html = browse.get(LIST, {"workspace": "team-x"}).content.decode()

    assert "No pools match." in html and "in workspace team-x" in html
    assert "workspaceId=team-x" in [call.query for call in seeded_sandbox.call_log("ListPools")]


def status_counts(html: str) -> dict[str, int]:
    return {
        word: int(number)
        for number, word in re.findall(
            r'<span class="count">(\d+)</span> <span class="badge[^"]*">(\w+)<', html
        )
    }


def test_every_count_agrees_overview_card_list_and_status_filter(browse, seeded_sandbox, sandbox_connection):
    card = hx_get(browse, reverse("pools:overview_card", args=[sandbox_connection.pk])).content.decode()
    listed = browse.get(LIST).content.decode()

    by_status = status_counts(listed)
    assert by_status == status_counts(card) == {"Running": 4, "Creating": 1, "Error": 1, "Waiting": 1}
    assert sum(by_status.values()) == len(shown_pools(listed)) == 7
    for word, count in by_status.items():
        filtered = browse.get(LIST, {"status": word}).content.decode()
        assert len(shown_pools(filtered)) == count, word
        assert set(re.findall(r'data-phase="(\w+)"', filtered)) == {word}
        assert f"{count} of 7 pools" in filtered
        assert f'href="{LIST}?status={word}"' in listed, "each count links to its filter"


def test_the_status_filter_speaks_the_badges_words(browse, seeded_sandbox):
    from pools.modelarts.vocabulary import POOL_PHASES

    html = browse.get(LIST).content.decode()
    select = html[
        html.index('<select name="status"') : html.index("</select>", html.index('<select name="status"'))
    ]
    options = re.findall(r'<option value="(\w*)"[^>]*>([^<]+)</option>', select)
    assert options == [("", "Any status"), *((phase, phase) for phase in POOL_PHASES)]
    badges = set(re.findall(r'<td><span class="badge[^"]*">(\w+)</span>', html))
    assert badges <= set(POOL_PHASES), "every badge the list shows is a choice of the filter"
    assert ">Created<" not in select and ">Failed<" not in select, "ListPools' own words are not the badges'"


def test_when_the_workspaces_cannot_be_looked_up_the_list_says_which_it_shows(browse, seeded_sandbox):
    seeded_sandbox.faults.error(500, operation="ShowPoolRuntimeMetrics")

    html = browse.get(LIST).content.decode()

    assert set(shown_pools(html)) == DEMO_DEFAULT_WORKSPACE
    assert "6 of 6 pools in all workspaces (0)" in html
    assert "Only workspace 0 could be listed: Reading the resource usage" in html


def test_a_workspace_whose_read_fails_leaves_the_others_on_screen(browse, seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    seeded_sandbox.faults.error(503, count=1, operation="ListPools")

    html = browse.get(LIST).content.decode()

    (failed,) = [call.query for call in seeded_sandbox.call_log("ListPools") if call.status == 503]
    lost = failed.removeprefix("workspaceId=")
    assert "upstream-error" in html and "APIG.0202" in html
    assert f"No pools shown for workspace {lost}: reading it failed." in html
    expected = {"vision-train"} if lost == "0" else DEMO_DEFAULT_WORKSPACE
    assert lost in {"0", VISION_WORKSPACE} and set(shown_pools(html)) == expected


# --- ModelArts' own counters (ShowPoolStatistics), per workspace listed ---


def counter_rows(html: str) -> dict[str, list[str]]:
    """Each workspace's row of the counters table: created, creating, failed, pending, and the <time> text."""
    section = html[html.index('<section class="modelarts-counters"') : html.index("</section>")]
    return {
        workspace: re.findall(r"<td[^>]*>(?:<time[^>]*>)?([^<]*)", cells)
        for workspace, cells in re.findall(r'<tr data-workspace="([^"]+)"[^>]*>(.*?)</tr>', section, re.S)
    }


def statistics_of(sandbox, workspace: str) -> dict:
    answer = signed_request("GET", f"{sandbox.url}/v2/{PROJECT_ID}/statistics/pools?workspaceId={workspace}")
    return answer.json()


def expected_row(answer: dict) -> list[str]:
    counts = answer["statistics"]["status"]
    moment = datetime.strptime(answer["operationTime"][:19], "%Y-%m-%d %H:%M:%S")
    return [
        *(str(counts[word]) for word in ("created", "creating", "failed", "pending")),
        f"{moment:%Y-%m-%d %H:%M:%S} UTC",
    ]


def test_the_list_shows_modelarts_counters_of_every_workspace_listed(browse, seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    html = browse.get(LIST).content.decode()

    assert sorted(call.query for call in seeded_sandbox.call_log("ShowPoolStatistics")) == sorted(
        [f"workspaceId={VISION_WORKSPACE}", "workspaceId=0"]
    )
    assert "ModelArts' counters" in html
    assert counter_rows(html) == {
        "0": expected_row(statistics_of(seeded_sandbox, "0")),
        VISION_WORKSPACE: expected_row(statistics_of(seeded_sandbox, VISION_WORKSPACE)),
    }
    assert status_counts(html) == {"Running": 4, "Creating": 1, "Error": 1, "Waiting": 1}, (
        "counted from the list"
    )


def test_a_picked_workspace_shows_its_own_counters(browse, seeded_sandbox):
    from pools.sandbox.seed import VISION_WORKSPACE

    html = browse.get(LIST, {"workspace": VISION_WORKSPACE}).content.decode()

    assert counter_rows(html) == {
        VISION_WORKSPACE: expected_row(statistics_of(seeded_sandbox, VISION_WORKSPACE))
    }


def test_failed_counters_are_a_banner_and_change_nothing_else(browse, seeded_sandbox):
    seeded_sandbox.faults.error(500, operation="ShowPoolStatistics")

    response = browse.get(LIST)
    html = response.content.decode()

    assert response.status_code == 200
    section = html[html.index('<section class="modelarts-counters"') : html.index("</section>")]
    assert "upstream-error" in section and "Reading the pool statistics of connection" in section
    assert "ModelArts.50005000" in section and "Request id" in section
    assert set(shown_pools(html)) == DEMO_POOLS and "7 of 7 pools" in html
    assert status_counts(html) == {"Running": 4, "Creating": 1, "Error": 1, "Waiting": 1}
    assert html.count("upstream-error") == 2, "one banner per workspace's counters, none for the pools"


def allocated_percents(html: str) -> list[tuple[str, int]]:
    """(pool, percent of its accelerators allocated) of each row that shows usage, in row order."""
    rows = re.findall(r"<strong>([\w-]+)</strong></a>.*?</tr>", html, flags=re.S)
    shares = re.findall(
        r"<strong>([\w-]+)</strong></a>(?:(?!</tr>).)*?data-percent=\"(\d+)\"", html, flags=re.S
    )
    assert rows, "no rows"
    return [(name, int(percent)) for name, percent in shares]


def test_each_pool_shows_its_accelerators_allocated_next_to_its_nodes(browse, seeded_sandbox):
    html = browse.get(LIST).content.decode()

    assert "Nodes · allocated" in html
    shares = dict(allocated_percents(html))
    assert "llm-pretrain" in shares and "infer-t4" in shares
    assert re.search(
        r'llm-pretrain</strong>.*?class="usage-inline small"[^>]*>NPU \d[\d,]* / [\d,]+', html, re.S
    )
    assert re.search(r'infer-t4</strong>.*?class="usage-inline small"[^>]*>GPU \d+ / \d+', html, re.S)


def test_fullest_first_and_idlest_first_sort_by_the_share_allocated(browse, seeded_sandbox):
    fullest = [
        percent for _, percent in allocated_percents(browse.get(LIST, {"sort": "-usage"}).content.decode())
    ]
    idlest = [
        percent for _, percent in allocated_percents(browse.get(LIST, {"sort": "usage"}).content.decode())
    ]

    assert len(fullest) >= 3 and fullest == sorted(fullest, reverse=True)
    assert idlest == sorted(idlest)
