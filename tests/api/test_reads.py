"""The API's reads against the sandbox over HTTP: connections, pools, a pool, nodes, usage, statistics,
monitoring; the pages' input rules; upstream failures as JSON with the request id."""

from __future__ import annotations

import pytest

from pools.api.errors import NO_SUCH_POOL
from pools.api.reads import NO_SUCH_CONNECTION
from pools.forms.filters import POINT_RULE
from tests.fixtures import sandbox as sandbox_account

pytestmark = pytest.mark.django_db


def pools_url(connection, *rest: str) -> str:
    return f"/api/v1/connections/{connection.pk}/pools/" + "".join(f"{part}/" for part in rest)


def test_connections_lists_the_ones_the_user_may_browse(viewer_api, sandbox_connection):
    answer = viewer_api.get("/api/v1/connections/")
    assert answer.status_code == 200
    assert answer.json()["data"] == [
        {
            "id": sandbox_connection.pk,
            "name": "sandbox",
            "region": sandbox_account.REGION,
            "project_id": sandbox_account.PROJECT_ID,
            "workspace_id": "0",
        }
    ]


def test_pools_of_every_workspace_and_of_one(viewer_api, seeded_sandbox, sandbox_connection):
    every = viewer_api.get(pools_url(sandbox_connection)).json()
    names = {pool["display_name"] for pool in every["data"]}
    assert {"llm-pretrain", "vision-train", "infer-t4"} <= names
    assert every["stale"] is False and every["error"] is None
    vision = next(pool for pool in every["data"] if pool["display_name"] == "vision-train")
    assert vision["workspace_id"] != "0"
    one = viewer_api.get(pools_url(sandbox_connection), {"workspace": vision["workspace_id"]}).json()
    assert [pool["display_name"] for pool in one["data"]] == ["vision-train"]
    assert one["workspaces"] == [vision["workspace_id"]]


def test_pool_filters_by_status_and_text(viewer_api, seeded_sandbox, sandbox_connection):
    creating = viewer_api.get(pools_url(sandbox_connection), {"status": "Creating"}).json()["data"]
    assert [pool["display_name"] for pool in creating] == ["ant8-expansion"]
    found = viewer_api.get(pools_url(sandbox_connection), {"q": "Infer-T4"}).json()["data"]
    assert [pool["display_name"] for pool in found] == ["infer-t4"]


def test_bad_pool_filters_are_field_errors(viewer_api, seeded_sandbox, sandbox_connection):
    answer = viewer_api.get(pools_url(sandbox_connection), {"workspace": "a b", "status": "Sleeping"})
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"workspace", "status"}
    assert seeded_sandbox.calls("ListPools") == 0


def test_one_pool_with_its_raw_answer(viewer_api, seeded_sandbox, sandbox_connection):
    pool_id = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    answer = viewer_api.get(pools_url(sandbox_connection, pool_id))
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["name"] == pool_id and data["display_name"] == "infer-t4" and data["phase"] == "Running"
    assert data["resources"][0]["count"] == 12
    assert data["raw"]["metadata"]["name"] == pool_id


def test_a_pool_modelarts_does_not_have_is_a_404(viewer_api, seeded_sandbox, sandbox_connection):
    answer = viewer_api.get(pools_url(sandbox_connection, "pool-that-is-not-there"))
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == NO_SUCH_POOL
    assert answer.json()["error"]["error_code"] == "ModelArts.50015001"


def test_a_connection_not_visible_is_a_404(viewer_api, sandbox_connection):
    answer = viewer_api.get(f"/api/v1/connections/{sandbox_connection.pk + 1}/pools/")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"message": NO_SUCH_CONNECTION}}


def test_nodes_page_with_limit_and_continue(viewer_api, seeded_sandbox, sandbox_connection):
    pool_id = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    first = viewer_api.get(pools_url(sandbox_connection, pool_id, "nodes"), {"limit": 5}).json()
    assert len(first["data"]) == 5 and first["continue"]
    second = viewer_api.get(
        pools_url(sandbox_connection, pool_id, "nodes"), {"limit": 5, "continue": first["continue"]}
    ).json()
    rest = viewer_api.get(
        pools_url(sandbox_connection, pool_id, "nodes"), {"limit": 5, "continue": second["continue"]}
    ).json()
    names = [node["name"] for page in (first, second, rest) for node in page["data"]]
    assert len(names) == len(set(names)) == 12
    assert rest["continue"] is None


def test_nodes_filtered_by_status(viewer_api, seeded_sandbox, sandbox_connection):
    pool_id = sandbox_account.pool_id(seeded_sandbox, "llm-pretrain")
    answer = viewer_api.get(pools_url(sandbox_connection, pool_id, "nodes"), {"phase": "Abnormal"}).json()
    assert [node["phase"] for node in answer["data"]] == ["Abnormal"] * 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"phase": "Asleep"}, "phase"),
        ({"continue": "\x01"}, "continue"),
    ],
)
def test_bad_node_queries_are_field_errors(viewer_api, seeded_sandbox, sandbox_connection, query, field):
    pool_id = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    answer = viewer_api.get(pools_url(sandbox_connection, pool_id, "nodes"), query)
    assert answer.status_code == 400 and list(answer.json()["errors"]) == [field]


def test_usage_and_statistics(viewer_api, seeded_sandbox, sandbox_connection):
    usage = viewer_api.get(f"/api/v1/connections/{sandbox_connection.pk}/usage/").json()["data"]
    assert {item["name"] for item in usage} >= {sandbox_account.pool_id(seeded_sandbox, "infer-t4")}
    assert all("capacity" in item and "allocated" in item for item in usage)
    statistics = viewer_api.get(f"/api/v1/connections/{sandbox_connection.pk}/statistics/").json()["data"]
    assert statistics["created"] >= 1 and statistics["creating"] >= 1
    bad = viewer_api.get(f"/api/v1/connections/{sandbox_connection.pk}/statistics/", {"workspace": "$"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["workspace"]


def test_monitoring_with_the_pages_range_rules(viewer_api, seeded_sandbox, sandbox_connection):
    url = pools_url(sandbox_connection, sandbox_account.pool_id(seeded_sandbox, "infer-t4"), "monitoring")
    answer = viewer_api.get(url, {"range": "6h", "statistics": "maximum"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["period"] == 60 and body["statistics"] == "maximum"
    assert body["data"]["series"] and body["data"]["series"][0]["points"]
    too_fine = viewer_api.get(url, {"range": "7d", "period": "60"})
    assert too_fine.status_code == 400
    assert str(POINT_RULE) in too_fine.json()["errors"]["period"][0]
    no_end = viewer_api.get(url, {"range": "custom", "start": "2026-11-01T00:00"})
    assert no_end.status_code == 400 and "end" in no_end.json()["errors"]
    assert viewer_api.get(url, {"statistics": "p99"}).status_code == 400


def test_an_upstream_failure_is_json_with_the_request_id(viewer_api, seeded_sandbox, sandbox_connection):
    seeded_sandbox.faults.error(500, operation="ShowPool")
    pool_id = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    answer = viewer_api.get(pools_url(sandbox_connection, pool_id))
    assert answer.status_code == 502
    error = answer.json()["error"]
    assert error["message"].startswith(f"Reading pool {pool_id} of connection “sandbox” failed")
    assert error["status"] == "500" and error["request_id"]


def test_reads_need_the_dashboard_permission(client, django_user_model, sandbox_connection):
    from tests.fixtures.api import api_client, token_for
    from tests.fixtures.users import make_user

    nobody = make_user(django_user_model, "no-role", None)
    answer = api_client(token_for(nobody)).get("/api/v1/connections/")
    assert answer.status_code == 403
    assert answer.json() == {"error": {"message": "Your roles do not allow this."}}
