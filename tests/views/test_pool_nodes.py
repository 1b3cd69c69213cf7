"""The Nodes tab: pages behind the continue token, "Load more", the status filter, the selection form."""

import re
from urllib.parse import parse_qs, unquote

import pytest
from django.urls import NoReverseMatch, reverse

from pools.selectors.modelarts import NODE_FILTER_PAGE_SIZE, NODE_PAGE_SIZE
from tests.fixtures.pool_pages import FAULT_MODES, hx_get
from tests.fixtures.sandbox import PROJECT_ID, pool_id
from tests.sandbox.helpers import call

pytestmark = pytest.mark.django_db

NODE_NAME = re.compile(r'data-node="([^"]+)"')
LOAD_MORE = re.compile(r'hx-get="([^"]+)" hx-target="closest tr"')


@pytest.fixture
def llm_nodes(seeded_sandbox, sandbox_connection):
    """The Nodes tab of the 520-node demo pool."""
    return reverse("pools:pool_nodes", args=[sandbox_connection.pk, pool_id(seeded_sandbox, "llm-pretrain")])


def load_more_url(html: str) -> str | None:
    match = LOAD_MORE.search(html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_first_page_shows_nodes_with_every_column(browse, seeded_sandbox, llm_nodes):
    response = browse.get(llm_nodes)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(NODE_NAME.findall(html)) == NODE_PAGE_SIZE
    assert "modelarts.bm.npu.arm.8snt9b3.d" in html and "cn-north-4" in html
    assert re.search(r'<td class="mono">\d+\.\d+\.\d+\.\d+</td>', html), "private IP"
    assert re.search(r"CPU: [\d.,]+ / [\d.,]+", html) and "GiB" in html and "NPU (snt9)" in html
    assert "<time datetime=" in html and '<span class="badge ok">Available</span>' in html
    assert 'class="active" aria-current="page">Nodes' in html
    assert "Load more" in html and "470 more nodes in the pool" in html
    (call,) = seeded_sandbox.call_log("ListPoolNodes")
    assert f"limit={NODE_PAGE_SIZE}" in call.query and "continue" not in call.query


def test_load_more_pages_through_all_520_nodes_one_page_at_a_time(browse, seeded_sandbox, llm_nodes):
    html = hx_get(browse, llm_nodes).content.decode()
    assert html.lstrip().startswith('<div id="pool-tab"')
    names = NODE_NAME.findall(html)
    url, pages = load_more_url(html), 1
    while url:
        response = hx_get(browse, url)
        rows = response.content.decode()
        assert "<table" not in rows and "<tr" in rows, "only rows are appended"
        names += NODE_NAME.findall(rows)
        url, pages = load_more_url(rows), pages + 1
        assert pages <= 20
    assert "End of the list." in rows
    assert len(names) == len(set(names)) == 520
    assert pages == seeded_sandbox.calls("ListPoolNodes") == 11
    assert all(f"limit={NODE_PAGE_SIZE}" in call.query for call in seeded_sandbox.call_log("ListPoolNodes"))


def test_load_more_without_javascript_opens_the_next_page(browse, seeded_sandbox, llm_nodes):
    html = browse.get(llm_nodes).content.decode()
    first = set(NODE_NAME.findall(html))
    href = re.search(r'<a class="button" href="([^"]+)" hx-get', html).group(1).replace("&amp;", "&")
    page = browse.get(href).content.decode()
    assert "<html" in page and "Showing nodes from a later page." in page
    second = set(NODE_NAME.findall(page))
    assert len(second) == NODE_PAGE_SIZE and not first & second


def abnormal_nodes(sandbox, nodes_url: str) -> set[str]:
    return {
        node["metadata"]["name"]
        for node in sandbox.nodes(PROJECT_ID, nodes_url.split("/")[3])
        if node["status"]["phase"] == "Abnormal"
    }


def test_the_status_filter_searches_every_node_and_says_so(browse, seeded_sandbox, llm_nodes):
    abnormal = abnormal_nodes(seeded_sandbox, llm_nodes)
    assert len(abnormal) == 4

    html = hx_get(browse, llm_nodes, phase="Abnormal").content.decode()

    assert set(NODE_NAME.findall(html)) == abnormal, "all four, though they lie far apart in 520 nodes"
    assert set(re.findall(r'<tr data-phase="(\w+)"', html)) == {"Abnormal"}
    assert "Searched all 520 nodes of the pool: 4 Abnormal." in html
    assert load_more_url(html) is None
    calls = seeded_sandbox.call_log("ListPoolNodes")
    assert len(calls) == 2 and all(f"limit={NODE_FILTER_PAGE_SIZE}" in call.query for call in calls)


def test_a_filter_with_no_match_says_it_searched_everything(browse, seeded_sandbox, llm_nodes):
    html = hx_get(browse, llm_nodes, phase="Checking").content.decode()
    assert NODE_NAME.findall(html) == []
    assert "Searched all 520 nodes of the pool: 0 Checking." in html


def test_the_status_filter_offers_every_node_phase_in_order(browse, seeded_sandbox, llm_nodes):
    html = browse.get(llm_nodes).content.decode()
    select = re.search(r'<select name="phase".*?</select>', html, re.S).group()
    offered = re.findall(r'<option value="(\w*)"', select)
    phases = ["Available", "Creating", "Deleting", "Abnormal", "Checking", "Rebooting", "Resetting"]
    assert offered == ["", *phases]


@pytest.mark.parametrize(("action", "phase"), [("batch-reboot", "Rebooting"), ("batch-reset", "Resetting")])
def test_the_status_filter_finds_the_nodes_a_node_action_takes_out(
    browse, seeded_sandbox, llm_nodes, action, phase
):
    pool = llm_nodes.split("/")[3]
    names = [node["metadata"]["name"] for node in seeded_sandbox.nodes(PROJECT_ID, pool)[300:302]]
    assert call(seeded_sandbox, "POST", f"/pools/{pool}/nodes/{action}", json={"nodeNames": names}).ok

    html = hx_get(browse, llm_nodes, phase=phase).content.decode()

    assert set(NODE_NAME.findall(html)) == set(names)
    assert f"Searched all 520 nodes of the pool: 2 {phase}." in html


def test_a_search_stopped_at_its_bound_says_so_and_goes_on(browse, seeded_sandbox, llm_nodes, monkeypatch):
    from pools.selectors import modelarts

    monkeypatch.setattr(modelarts, "NODE_FILTER_PAGE_SIZE", 100)
    monkeypatch.setattr(modelarts, "NODE_SCAN_MAX_PAGES", 2)  # 200 nodes per request

    html = hx_get(browse, llm_nodes, phase="Abnormal").content.decode()

    assert seeded_sandbox.calls("ListPoolNodes") == 2
    assert re.search(
        r"Searched 200 nodes, the most one request searches: \d Abnormal\.\s+320 nodes not searched yet\.",
        html,
    )
    assert ">Search further</a>" in html
    found, url, requests = set(NODE_NAME.findall(html)), load_more_url(html), 1
    while url:
        assert "phase=Abnormal" in url
        before = seeded_sandbox.calls("ListPoolNodes")
        rows = hx_get(browse, url).content.decode()
        assert seeded_sandbox.calls("ListPoolNodes") - before <= 2, "each request searches a bounded number"
        found |= set(NODE_NAME.findall(rows))
        url, requests = load_more_url(rows), requests + 1
    assert found == abnormal_nodes(seeded_sandbox, llm_nodes)
    assert requests == 3 and "Searched the remaining 120 nodes:" in rows and "End of the list." in rows


def test_the_checkboxes_belong_to_one_form_that_posts_the_selected_names(
    browse, operator, seeded_sandbox, sandbox_connection, llm_nodes
):
    browse.force_login(operator)  # only requesters get checkboxes
    html = browse.get(llm_nodes).content.decode()
    try:
        action = reverse("pools:delete_nodes_request", args=[sandbox_connection.pk, llm_nodes.split("/")[3]])
    except NoReverseMatch:  # the delete-request page is another area's; without it the form has no target
        action = ""
    form = html[html.index(f'<form method="post" action="{action}" id="node-selection"') :]
    form = form[: form.index("</form>")]
    assert 'id="node-selection"' in form and "csrfmiddlewaretoken" in form
    assert len(re.findall(r'name="nodes" value=', form)) == NODE_PAGE_SIZE
    assert 'data-select-all="nodes"' in form
    assert 'id="node-rows"' in form, "rows added by Load more land inside the same form"


def test_a_bad_page_token_is_a_banner_not_a_500(browse, seeded_sandbox, llm_nodes):
    response = browse.get(llm_nodes, {"after": "not-a-token"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ModelArts rejected the request" in html and "ModelArts.50004000" in html


@pytest.mark.parametrize("mode", list(FAULT_MODES))
def test_a_failing_node_page_is_a_banner_and_load_more_can_retry(browse, seeded_sandbox, llm_nodes, mode):
    inject, error_code, text = FAULT_MODES[mode]
    html = hx_get(browse, llm_nodes).content.decode()
    url = load_more_url(html)
    inject(seeded_sandbox, "ListPoolNodes")
    rows = hx_get(browse, url).content.decode()
    assert text in rows and error_code in rows and "Request id" in rows
    token = parse_qs(url.split("?", 1)[1])["after"][0]
    retry = re.search(r'hx-get="([^"]+)" hx-target="closest tr"', rows).group(1).replace("&amp;", "&")
    retry_query = parse_qs(retry.split("?", 1)[1])
    assert unquote(retry_query["after"][0]) == token, "Try again asks for the same page"
    assert retry_query["refresh"] == ["1"], "... from ModelArts, not from the cached failure"
    seeded_sandbox.faults.clear()
    assert len(NODE_NAME.findall(hx_get(browse, retry).content.decode())) == NODE_PAGE_SIZE


def test_only_requesters_get_selection_checkboxes(
    client, viewer, operator, seeded_sandbox, sandbox_connection
):
    pool = next(
        p["metadata"]["name"]
        for p in seeded_sandbox.pools(PROJECT_ID)
        if p["status"].get("phase") == "Running"
    )
    url = reverse("pools:pool_nodes", args=[sandbox_connection.pk, pool])
    client.force_login(viewer)
    assert 'name="nodes"' not in client.get(url).content.decode()
    client.force_login(operator)
    assert 'name="nodes"' in client.get(url).content.decode()


def test_a_place_in_the_list_modelarts_refuses_says_the_link_is_old_and_offers_the_first_page(
    browse, seeded_sandbox, llm_nodes
):
    html = browse.get(llm_nodes, {"after": "not-a-token-of-this-list"}).content.decode()
    assert "ModelArts did not accept this link's place in the list" in html
    assert f'<a href="{llm_nodes}">Start again from the first page</a>' in html
    first = browse.get(llm_nodes).content.decode()
    assert "place-refused" not in first
    chinese = browse.get(llm_nodes, {"after": "not-a-token"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "该链接已过期或被改动" in chinese and "从第一页重新开始" in chinese
