"""The Workloads tab, the workload counts on the pool page, a node's page, and the blast radius on the node
action pages: what they show, and a banner (never a 500) when ModelArts fails."""

import re

import pytest
from django.urls import reverse

from pools.models import ChangeRequest
from pools.node_actions import TOO_MANY_TO_DRAIN
from tests.fixtures.pool_pages import FAULT_MODES, hx_get
from tests.fixtures.sandbox import PROJECT_ID, pool_id
from tests.sandbox.helpers import call

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr data-status="([A-Za-z]+)">')


def pool_args(sandbox, connection, display_name="vision-train"):
    return [connection.pk, pool_id(sandbox, display_name)]


def nodes_of(sandbox, pool):
    return sandbox.nodes(PROJECT_ID, pool)


def test_the_workloads_tab_lists_who_runs_what(browse, seeded_sandbox, sandbox_connection):
    args = pool_args(seeded_sandbox, sandbox_connection)

    response = browse.get(reverse("pools:pool_workloads", args=args))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="active" aria-current="page">Workloads' in html
    assert set(ROW.findall(html)) == {"Running"}
    assert "× GPU" in html and re.search(r"\d+ d( \d+ h)?</td>", html), "GPU requested and run time"
    assert 'aria-label="Workloads by state"' in html


def test_a_drained_node_s_workloads_show_as_pending_with_their_queue_position(
    browse, seeded_sandbox, sandbox_connection
):
    args = pool_args(seeded_sandbox, sandbox_connection)
    node = nodes_of(seeded_sandbox, args[1])[0]["metadata"]["name"]
    assert call(seeded_sandbox, "POST", f"/pools/{args[1]}/nodes/batch-drain", json={"nodeNames": [node]}).ok

    response = hx_get(browse, reverse("pools:pool_workloads", args=args), status="Pending")

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="pool-tab"')
    assert ROW.findall(html) and set(ROW.findall(html)) == {"Pending"}
    assert re.search(r"<td>1</td>\s*<td class=\"mono small\">—</td>", html), "queue position 1, no node"


def test_the_workload_counts_partial_links_each_state_to_the_tab(browse, seeded_sandbox, sandbox_connection):
    args = pool_args(seeded_sandbox, sandbox_connection, "infer-t4")

    html = browse.get(reverse("pools:pool_workload_counts", args=args)).content.decode()
    detail = browse.get(reverse("pools:pool_detail", args=args)).content.decode()

    assert '<span class="count">12</span> <span class="badge ok">Running</span>' in html
    assert reverse("pools:pool_workloads", args=args) + "?status=Running" in html
    assert reverse("pools:pool_workload_counts", args=args) in detail


def test_a_node_page_shows_status_reason_lock_and_the_workloads_on_it(
    browse, seeded_sandbox, sandbox_connection
):
    args = pool_args(seeded_sandbox, sandbox_connection)
    nodes = nodes_of(seeded_sandbox, args[1])
    abnormal = next(node["metadata"]["name"] for node in nodes if node["status"]["phase"] == "Abnormal")
    healthy = next(node for node in nodes if node["status"]["phase"] == "Available")["metadata"]["name"]
    call(
        seeded_sandbox,
        "POST",
        f"/pools/{args[1]}/nodes/batch-lock",
        json={"nodeNames": [healthy], "actions": ["delete"]},
    )

    sick = browse.get(reverse("pools:node_detail", args=[*args, abnormal])).content.decode()
    locked = browse.get(reverse("pools:node_detail", args=[*args, healthy])).content.decode()

    assert "Why it is Abnormal:" in sick and "NodeNotReady" in sick
    assert "Locked against delete" in locked and "os.modelarts.node/cluster" in locked
    assert "GPU driver" in locked and "535.54.03" in locked
    assert re.search(r"<strong>\d+ workloads?</strong> now run", locked)
    assert "Requesting node actions needs the Operator role." in locked


def test_a_drained_node_s_page_and_row_say_it_is_drained(browse, seeded_sandbox, sandbox_connection):
    args = pool_args(seeded_sandbox, sandbox_connection)
    drained, other = (node["metadata"]["name"] for node in nodes_of(seeded_sandbox, args[1])[:2])
    assert call(
        seeded_sandbox, "POST", f"/pools/{args[1]}/nodes/batch-drain", json={"nodeNames": [drained]}
    ).ok

    page = browse.get(reverse("pools:node_detail", args=[*args, drained])).content.decode()
    untouched = browse.get(reverse("pools:node_detail", args=[*args, other])).content.decode()
    rows = browse.get(reverse("pools:pool_nodes", args=args)).content.decode()

    assert '<span class="badge warn drain-badge">Drained</span>' in page
    assert "Drained: takes no new workloads" in page
    assert "drain-badge" not in untouched and "Schedulable" in untouched
    row = re.search(rf'<tr data-phase="\w+" data-node="{drained}">.*?</tr>', rows, re.S).group()
    assert ">drained</span>" in row
    assert rows.count(">drained</span>") == 1


def test_a_node_page_offers_an_operator_the_actions_the_node_allows(
    operator_client, locmem_cache, seeded_sandbox, sandbox_connection
):
    args = pool_args(seeded_sandbox, sandbox_connection)
    name = nodes_of(seeded_sandbox, args[1])[0]["metadata"]["name"]
    call(
        seeded_sandbox,
        "POST",
        f"/pools/{args[1]}/nodes/batch-lock",
        json={"nodeNames": [name], "actions": ["delete"]},
    )

    html = operator_client.get(reverse("pools:node_detail", args=[*args, name])).content.decode()

    assert f'href="{reverse("pools:reboot_nodes_request", args=args)}?nodes={name}"' in html
    assert f'href="{reverse("pools:unlock_nodes_request", args=args)}?nodes={name}"' in html
    assert "Request deletion: locked against deletion" in html
    assert "Request a lock against deletion: These nodes are already locked" in html


def test_the_node_table_links_each_node_to_its_page(browse, seeded_sandbox, sandbox_connection):
    args = pool_args(seeded_sandbox, sandbox_connection)
    first = nodes_of(seeded_sandbox, args[1])[0]["metadata"]["name"]

    html = browse.get(reverse("pools:pool_nodes", args=args)).content.decode()

    assert f'href="{reverse("pools:node_detail", args=[*args, first])}"' in html


def test_an_unknown_node_is_a_404(browse, seeded_sandbox, sandbox_connection):
    args = pool_args(seeded_sandbox, sandbox_connection)

    assert browse.get(reverse("pools:node_detail", args=[*args, "os-node-created-zzzzz"])).status_code == 404


@pytest.mark.parametrize("mode", FAULT_MODES)
@pytest.mark.parametrize(
    "page, operation",
    [
        ("pool_workloads", "ListWorkloads"),
        ("pool_workload_counts", "ShowWorkloadStatistics"),
        ("node_detail", "ShowPoolNode"),
        ("node_detail", "ListWorkloads"),
    ],
)
def test_a_failing_upstream_is_a_banner(browse, seeded_sandbox, sandbox_connection, mode, page, operation):
    args = pool_args(seeded_sandbox, sandbox_connection, "infer-t4")
    if page == "node_detail":
        args.append(nodes_of(seeded_sandbox, args[1])[0]["metadata"]["name"])
    inject, code, text = FAULT_MODES[mode]
    inject(seeded_sandbox, operation)

    response = browse.get(reverse(f"pools:{page}", args=args))

    html = response.content.decode()
    assert response.status_code == 200
    assert "upstream-error" in html and text in html and code in html


def test_the_reboot_page_shows_the_blast_radius_of_the_selection(
    operator_client, locmem_cache, seeded_sandbox, sandbox_connection
):
    args = pool_args(seeded_sandbox, sandbox_connection)
    names = [node["metadata"]["name"] for node in nodes_of(seeded_sandbox, args[1])[:2]]

    response = operator_client.post(reverse("pools:reboot_nodes_request", args=args), {"nodes": names})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Blast radius" in html and re.search(r"<strong>\d+ workloads?</strong> now run", html)
    assert "these 2 nodes" in html and 'name="reason"' in html


def test_the_drain_page_says_ten_at_a_time_and_refuses_eleven(
    operator_client, locmem_cache, seeded_sandbox, sandbox_connection
):
    args = pool_args(seeded_sandbox, sandbox_connection, "llm-pretrain")
    names = [
        node["metadata"]["name"]
        for node in nodes_of(seeded_sandbox, args[1])
        if node["status"]["phase"] == "Available"
    ][:11]

    response = operator_client.post(reverse("pools:drain_nodes_request", args=args), {"nodes": names})

    html = response.content.decode()
    assert "at most 10 nodes at a time" in html
    assert str(TOO_MANY_TO_DRAIN) in html and 'name="reason"' not in html


def test_the_delete_nodes_page_shows_the_blast_radius_too(
    operator_client, locmem_cache, seeded_sandbox, sandbox_connection
):
    args = pool_args(seeded_sandbox, sandbox_connection)
    name = nodes_of(seeded_sandbox, args[1])[0]["metadata"]["name"]

    html = operator_client.post(
        reverse("pools:delete_nodes_request", args=args), {"nodes": [name]}
    ).content.decode()

    assert "Blast radius" in html and "this node" in html


def test_filing_a_drain_from_the_page_goes_to_the_request_with_its_live_blast_radius(
    operator_client, approver, locmem_cache, seeded_sandbox, sandbox_connection, client
):
    args = pool_args(seeded_sandbox, sandbox_connection)
    name = nodes_of(seeded_sandbox, args[1])[0]["metadata"]["name"]
    url = reverse("pools:drain_nodes_request", args=args)

    response = operator_client.post(
        url, {"nodes": [name], "confirm": "1", "reason": "Move the jobs off", "submission_key": "a" * 32}
    )

    assert response.status_code == 302
    change_request = ChangeRequest.objects.get()
    assert change_request.kind == "drain_nodes" and change_request.body == {"nodeNames": [name]}
    client.force_login(approver)
    queue = client.get(reverse("pools:approval_queue")).content.decode()
    radius_url = reverse("pools:change_request_blast_radius", args=[change_request.pk])
    assert radius_url in queue
    radius = client.get(radius_url).content.decode()
    filed = change_request.snapshot["workloads"]
    assert re.search(rf"now runs? on this node \(was {filed} when filed\)", radius)
