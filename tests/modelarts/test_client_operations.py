"""Every operation against a local HTTP server: what goes on the wire, and what comes back parsed."""

import hashlib
from datetime import UTC, datetime

import pytest

from pools.modelarts.client import ModelArtsClient
from pools.modelarts.timerange import TimeRange, TimeRangeError
from pools.modelarts.transport import USER_AGENT
from tests.fixtures.modelarts import TEST_AK, TEST_PROJECT, fixed_now, json_response

POOL_NAME = "pool-demo-f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"
POOL = {
    "apiVersion": "v2",
    "kind": "Pool",
    "metadata": {
        "name": POOL_NAME,
        "creationTimestamp": "2025-01-01T08:00:05Z",
        "labels": {"os.modelarts/name": "pool-demo", "os.modelarts/workspace.id": "0"},
        "annotations": {"os.modelarts/description": "GPU pool", "os.modelarts/billing.mode": "0"},
    },
    "spec": {
        "type": "Dedicate",
        "scope": ["Train", "Infer"],
        "resources": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2, "maxCount": 2}],
        "network": {"name": "network-a1b2"},
    },
    "status": {
        "phase": "Running",
        "resources": {"available": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2, "maxCount": 2}]},
    },
}


def node(name, phase="Available"):
    return {
        "apiVersion": "v2",
        "kind": "Node",
        "metadata": {"name": name, "creationTimestamp": "2025-01-01T08:21:40Z"},
        "spec": {"flavor": "modelarts.vm.gpu.t4u8"},
        "status": {"phase": phase, "az": "cn-north-4a", "resources": {"cpu": "32", "memory": "128Gi"}},
    }


def assert_common_headers(seen, *, user_id=None):
    assert seen.signature_valid, "the server could not verify the signature"
    assert seen.header("Content-Type") == "application/json"
    assert seen.header("X-Project-Id") == TEST_PROJECT
    assert seen.header("User-Agent") == USER_AGENT and USER_AGENT.startswith("modelarts-admin/")
    assert seen.header("X-ModelArts-User-ID") == user_id
    # The session's own defaults still go out, unsigned (the client sends prepared requests itself).
    assert seen.header("Accept-Encoding") == "gzip, deflate" and seen.header("Accept") == "*/*"
    assert seen.header("Authorization").startswith(f"SDK-HMAC-SHA256 Access={TEST_AK}, SignedHeaders=")
    expected_signed = ["content-type", "host", "user-agent", "x-project-id", "x-sdk-date"]
    if user_id:
        expected_signed.insert(3, "x-modelarts-user-id")
    assert seen.signed_headers == expected_signed


def test_list_pools_sends_the_canonical_query_and_parses_the_pools(upstream):
    upstream.answer(
        json_response({"apiVersion": "v2", "kind": "PoolList", "items": [POOL]}, request_id="rid-list")
    )
    client = upstream.client()

    result = client.list_pools(
        workspace_id="0", label_selector="os.modelarts/name=pool-demo", status="created"
    )

    (seen,) = upstream.seen
    assert seen.method == "GET"
    assert seen.raw_path == f"/v2/{TEST_PROJECT}/pools"
    assert seen.raw_query == "labelSelector=os.modelarts%2Fname%3Dpool-demo&status=created&workspaceId=0"
    assert seen.body == b""
    assert_common_headers(seen)
    assert [pool.name for pool in result.items] == [POOL_NAME]
    assert result.items[0].display_name == "pool-demo"
    assert result.items[0].nodes_in("available") == 2
    assert result.request_id == "rid-list"
    assert result.raw["kind"] == "PoolList"


def test_list_pools_leaves_out_unset_filters(upstream):
    upstream.answer(json_response({"items": []}))

    result = upstream.client().list_pools()

    assert upstream.seen[0].raw_query == "workspaceId=0"
    assert result.items == ()


def test_list_pools_rejects_an_unknown_status_before_sending(upstream):
    with pytest.raises(ValueError, match="created, failed, creating"):
        upstream.client().list_pools(status="running")
    assert upstream.seen == []


def test_show_pool_encodes_the_name_and_sends_the_user_id(upstream):
    upstream.answer(json_response(POOL, request_id="rid-show"))
    client = upstream.client(user_id="7d9e0f1a2b3c4d5e6f708192a3b4c5d6")

    pool = client.show_pool(POOL_NAME)

    (seen,) = upstream.seen
    assert (seen.method, seen.raw_path, seen.raw_query) == (
        "GET",
        f"/v2/{TEST_PROJECT}/pools/{POOL_NAME}",
        "",
    )
    assert_common_headers(seen, user_id="7d9e0f1a2b3c4d5e6f708192a3b4c5d6")
    assert pool.name == POOL_NAME and pool.phase == "Running" and pool.request_id == "rid-show"


def test_path_values_are_encoded_with_nothing_kept_safe(upstream):
    upstream.answer(json_response({**POOL, "metadata": {**POOL["metadata"], "name": "a/b c?d"}}))

    upstream.client().show_pool("a/b c?d")

    (seen,) = upstream.seen
    assert seen.raw_path == f"/v2/{TEST_PROJECT}/pools/a%2Fb%20c%3Fd"
    assert seen.signature_valid


def test_create_pool_sends_the_body_as_the_sdk_serialises_it(upstream):
    body = {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": {
            "labels": {"os.modelarts/name": "pool-demo"},
            "annotations": {"os.modelarts/description": "训练池"},
        },
        "spec": {"type": "Dedicate", "scope": ["Train"], "resources": [{"flavor": "f", "count": 1}]},
    }
    upstream.answer(json_response({**POOL, "status": {"resources": {}}}, request_id="rid-create"))
    client = upstream.client(user_id="tenant-1")

    pool = client.create_pool(body)

    (seen,) = upstream.seen
    assert (seen.method, seen.raw_path) == ("POST", f"/v2/{TEST_PROJECT}/pools")
    assert seen.body == (
        b'{"apiVersion": "v2", "kind": "Pool", "metadata": {"labels": {"os.modelarts/name": "pool-demo"}, '
        b'"annotations": {"os.modelarts/description": "\\u8bad\\u7ec3\\u6c60"}}, "spec": {"type": "Dedicate", '
        b'"scope": ["Train"], "resources": [{"flavor": "f", "count": 1}]}}'
    )
    assert seen.header("Content-Length") == str(len(seen.body))
    assert_common_headers(seen, user_id="tenant-1")
    assert pool.phase == "Creating"  # no phase yet on a fresh pool (§5.8)
    assert pool.request_id == "rid-create"


def test_delete_pool_sends_delete_with_an_empty_body(upstream):
    deleted = {**POOL, "metadata": {**POOL["metadata"], "deletionTimestamp": "2025-01-03T10:15:00Z"}}
    upstream.answer(json_response(deleted))
    client = upstream.client(user_id="tenant-1")

    pool = client.delete_pool(POOL_NAME)

    (seen,) = upstream.seen
    assert (seen.method, seen.raw_path, seen.body) == ("DELETE", f"/v2/{TEST_PROJECT}/pools/{POOL_NAME}", b"")
    assert_common_headers(seen, user_id="tenant-1")
    assert pool.deleted_at == datetime(2025, 1, 3, 10, 15, tzinfo=UTC)


def test_user_id_is_sent_only_on_the_operations_that_define_it(upstream):
    upstream.answer(
        json_response({"items": []}), json_response({"items": [], "metadata": {}}), json_response({})
    )
    client = upstream.client(user_id="tenant-1")

    client.list_pools()
    client.list_nodes(POOL_NAME)
    client.delete_nodes(POOL_NAME, ["n1"])

    assert [seen.header("X-ModelArts-User-ID") for seen in upstream.seen] == [None, None, None]


def test_list_nodes_sends_limit_and_continue_and_parses_the_page(upstream):
    upstream.answer(
        json_response(
            {
                "kind": "NodeList",
                "metadata": {"continue": "tok/2+=", "remainingItemCount": 3},
                "items": [node("n1")],
            }
        )
    )

    page = upstream.client().list_nodes(POOL_NAME, limit=1, continue_token="tok/1+=")

    (seen,) = upstream.seen
    assert seen.raw_path == f"/v2/{TEST_PROJECT}/pools/{POOL_NAME}/nodes"
    assert seen.raw_query == "continue=tok%2F1%2B%3D&limit=1"
    assert_common_headers(seen)
    assert [n.name for n in page.items] == ["n1"]
    assert (page.continue_token, page.remaining) == ("tok/2+=", 3)


@pytest.mark.parametrize("limit", [-1, 501, "10", True])
def test_list_nodes_rejects_a_bad_limit(upstream, limit):
    with pytest.raises(ValueError, match="limit"):
        upstream.client().list_nodes(POOL_NAME, limit=limit)


def test_iter_nodes_follows_continue_tokens(upstream):
    upstream.answer(
        json_response({"metadata": {"continue": "p2"}, "items": [node("n1"), node("n2")]}),
        json_response({"metadata": {"continue": "p3"}, "items": [node("n3")]}),
        json_response({"metadata": {}, "items": [node("n4")]}),
    )

    names = [n.name for n in upstream.client().iter_nodes(POOL_NAME, limit=2)]

    assert names == ["n1", "n2", "n3", "n4"]
    assert [seen.raw_query for seen in upstream.seen] == [
        "limit=2",
        "continue=p2&limit=2",
        "continue=p3&limit=2",
    ]


def test_iter_nodes_stops_when_a_token_comes_back(upstream):
    from pools.modelarts.errors import InvalidResponseError

    upstream.answer(*[json_response({"metadata": {"continue": "same"}, "items": [node("n1")]})] * 3)

    with pytest.raises(InvalidResponseError, match="continue token"):
        list(upstream.client().iter_nodes(POOL_NAME))
    assert len(upstream.seen) == 2


def test_delete_nodes_posts_the_names(upstream):
    upstream.answer(json_response({}, request_id="rid-del"))

    ack = upstream.client().delete_nodes(POOL_NAME, ["os-node-created-abcde", "os-node-created-fghij"])

    (seen,) = upstream.seen
    assert (seen.method, seen.raw_path) == (
        "POST",
        f"/v2/{TEST_PROJECT}/pools/{POOL_NAME}/nodes/batch-delete",
    )
    assert seen.body == b'{"deleteNodeNames": ["os-node-created-abcde", "os-node-created-fghij"]}'
    assert hashlib.sha256(seen.body).hexdigest() == (
        "95294c97a7b5bd5deee6783a66f1ae3852141f5e37b9f019f8b2be76b419cc00"  # the body of vector B (§8.7)
    )
    assert_common_headers(seen)
    assert (ack.raw, ack.request_id) == ({}, "rid-del")


def test_delete_nodes_accepts_an_empty_answer(upstream):
    from werkzeug import Response

    upstream.answer(Response(b"", status=200, headers={"X-Request-Id": "rid-empty"}))

    ack = upstream.client().delete_nodes(POOL_NAME, ["n1"])

    assert (ack.raw, ack.request_id) == (None, "rid-empty")


@pytest.mark.parametrize(
    "body", [b"<html><title>Gateway says OK</title></html>", b'{"deleteNodeNames": [', b'["n1"]', b'"done"']
)
def test_delete_nodes_does_not_take_an_unreadable_2xx_for_success(upstream, body):
    """A 2xx whose body is neither empty nor a JSON object: the outcome is unknown, not a success."""
    from werkzeug import Response

    from pools.modelarts.errors import InvalidResponseError

    upstream.answer(Response(body, status=200, headers={"X-Request-Id": "rid-garbled"}))

    with pytest.raises(InvalidResponseError) as raised:
        upstream.client().delete_nodes(POOL_NAME, ["n1"])

    assert (raised.value.operation, raised.value.status, raised.value.request_id) == (
        "BatchDeletePoolNodes",
        200,
        "rid-garbled",
    )
    assert len(upstream.seen) == 1


@pytest.mark.parametrize("names", [[], [""], [None]])
def test_delete_nodes_needs_node_names(upstream, names):
    with pytest.raises(ValueError, match="node"):
        upstream.client().delete_nodes(POOL_NAME, names)
    assert upstream.seen == []


def test_show_runtime_metrics(upstream):
    upstream.answer(
        json_response(
            {
                "kind": "PoolMetricsList",
                "items": [
                    {
                        "metadata": {"name": POOL_NAME},
                        "table": {
                            "allocated": {
                                "value": {"cpu": 20, "memory": "64Gi"},
                                "timestamp": "2025-01-01T09:00:00Z",
                            },
                            "capacity": {"value": {"cpu": "64", "memory": "256Gi"}},
                            "workload": {"allocated": {"train": 2, "sum": 2}, "queue": {"train": 1}},
                        },
                    }
                ],
            }
        )
    )

    metrics = upstream.client().show_runtime_metrics()

    (seen,) = upstream.seen
    assert (seen.method, seen.raw_path, seen.raw_query) == (
        "GET",
        f"/v2/{TEST_PROJECT}/metrics/runtime/pools",
        "",
    )
    assert_common_headers(seen)
    (usage,) = metrics.items
    assert (usage.name, usage.allocated["cpu"], usage.workload_queue["train"]) == (POOL_NAME, "20", 1)


def test_show_statistics(upstream):
    upstream.answer(
        json_response(
            {
                "statistics": {"status": {"creating": 1, "created": 3, "failed": 0, "pending": 2}},
                "operationTime": "2025-01-01 09:00:00.123456789 +0000 UTC",
            }
        )
    )

    stats = upstream.client().show_statistics(workspace_id="ws-1")

    (seen,) = upstream.seen
    assert (seen.raw_path, seen.raw_query) == (f"/v2/{TEST_PROJECT}/statistics/pools", "workspaceId=ws-1")
    assert_common_headers(seen)
    assert (stats.creating, stats.created, stats.failed, stats.pending) == (1, 3, 0, 2)


def test_show_monitor_sends_time_range_statistics_and_period_as_strings(upstream):
    upstream.answer(
        json_response(
            {
                "metrics": [
                    {
                        "metric": {"metricName": "cpuUsage", "namespace": "PAAS.AGGR", "dimensions": []},
                        "dataPoints": [
                            {
                                "timestamp": 2,
                                "unit": "Percent",
                                "statistics": [{"statistic": "average", "value": -1}],
                            },
                            {
                                "timestamp": 1,
                                "unit": "Percent",
                                "statistics": [{"statistic": "average", "value": 37.25}],
                            },
                        ],
                    }
                ]
            }
        )
    )

    result = upstream.client().show_monitor(POOL_NAME, TimeRange.last(60), statistics="average", period=300)

    (seen,) = upstream.seen
    assert seen.raw_path == f"/v2/{TEST_PROJECT}/pools/{POOL_NAME}/monitor"
    assert seen.raw_query == "period=300&statistics=average&time_range=-1.-1.60"
    assert_common_headers(seen)
    (series,) = result.series
    assert series.metric_name == "cpuUsage"
    assert [p.values["average"] for p in series.points] == [37.25, None]


def test_show_monitor_accepts_a_time_range_as_text(upstream):
    upstream.answer(json_response({"metrics": []}))

    upstream.client().show_monitor(POOL_NAME, "1735718400000.1735722000000.60")

    assert (
        upstream.seen[0].raw_query == "period=60&statistics=maximum&time_range=1735718400000.1735722000000.60"
    )


def test_show_monitor_refuses_too_many_points_before_sending(upstream):
    with pytest.raises(TimeRangeError, match="300"):
        upstream.client().show_monitor(POOL_NAME, TimeRange.last(2 * 1440), period=60)
    with pytest.raises(ValueError, match="statistics"):
        upstream.client().show_monitor(POOL_NAME, TimeRange.last(60), statistics="median")
    assert upstream.seen == []


def test_every_attempt_is_signed_afresh(upstream):
    """A retried request gets a new X-Sdk-Date and a new signature, and both verify."""
    upstream.answer(
        json_response({"error_code": "x", "error_msg": "busy"}, status=503), json_response({"items": []})
    )
    client = upstream.client(
        now=fixed_now(datetime(2025, 1, 1, 8, 0, 0, tzinfo=UTC), datetime(2025, 1, 1, 8, 0, 1, tzinfo=UTC))
    )

    client.list_pools()

    first, second = upstream.seen
    assert (first.header("X-Sdk-Date"), second.header("X-Sdk-Date")) == (
        "20250101T080000Z",
        "20250101T080001Z",
    )
    assert first.signature_valid and second.signature_valid
    assert first.header("Authorization") != second.header("Authorization")


def test_the_client_matches_the_official_sdk_on_the_wire(upstream):
    """Same inputs, same bytes: the query and signature the SDK's signer makes for what we sent."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    from tests.fixtures.modelarts import TEST_SK

    upstream.answer(json_response({"items": []}))
    upstream.client(now=fixed_now()).list_pools(label_selector="team=a b&c", status="creating")
    (seen,) = upstream.seen
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Project-Id": TEST_PROJECT,
        "X-Sdk-Date": "20250101T080000Z",
        "Host": seen.header("Host"),
    }
    official = SdkRequest(
        method="GET",
        schema="http",
        host=seen.header("Host"),
        resource_path=f"/v2/{TEST_PROJECT}/pools",
        query_params=[("workspaceId", "0"), ("labelSelector", "team=a b&c"), ("status", "creating")],
        header_params=headers,
    )
    Signer(BasicCredentials(TEST_AK, TEST_SK)).sign(official)

    assert official.uri == f"{seen.raw_path}?{seen.raw_query}"
    assert official.header_params["Authorization"] == seen.header("Authorization")


def test_endpoint_without_scheme_gets_https_and_trailing_slash_is_dropped():
    client = ModelArtsClient("modelarts.cn-north-4.myhuaweicloud.com/", TEST_PROJECT, "ak", "sk")
    assert client.endpoint == "https://modelarts.cn-north-4.myhuaweicloud.com"
    client.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("ftp://host", TEST_PROJECT, "ak", "sk"), "http or https"),
        (("https://host", "", "ak", "sk"), "project id"),
        (("https://host", TEST_PROJECT, "", "sk"), "access key"),
        (("https://host", TEST_PROJECT, "ak", ""), "secret key"),
    ],
)
def test_client_construction_is_validated(arguments, message):
    with pytest.raises(ValueError, match=message):
        ModelArtsClient(*arguments)


def test_user_id_with_line_breaks_is_refused():
    with pytest.raises(ValueError, match="user id"):
        ModelArtsClient("https://host", TEST_PROJECT, "ak", "sk", user_id="a\r\nX-Evil: 1")


def test_repr_shows_no_secret():
    client = ModelArtsClient("https://host", TEST_PROJECT, "AK-visible?", "SK-hidden-value")
    assert "SK-hidden-value" not in repr(client) and "AK-visible?" not in repr(client)
    assert "SK-hidden-value" not in repr(client._auth)
    client.close()
