"""The official huaweicloudsdkmodelarts client against the sandbox: all nine operations, errors, paging.

Pools and runtime metrics are read through ``to_json_object()``, as the API reference recommends (the typed
models drop the documented array form of ``status.resources``).
"""

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    ServerResponseException,
)
from huaweicloudsdkmodelarts.v1 import (
    BatchDeletePoolNodesRequest,
    CreatePoolRequest,
    CreatePoolRequestBody,
    DeletePoolRequest,
    ListPoolNodesRequest,
    ListPoolsRequest,
    ModelArtsClient,
    NodesDeletionRequest,
    PoolAnnotationsCreation,
    PoolLabelsCreation,
    PoolMetadataCreation,
    PoolResourceFlavor,
    PoolSpecCreation,
    PoolSpecCreationNetwork,
    ShowPoolMonitorRequest,
    ShowPoolRequest,
    ShowPoolRuntimeMetricsRequest,
    ShowPoolStatisticsRequest,
)

from tests.fixtures.sandbox import AK, OTHER_PROJECT_ID, PROJECT_ID, SK
from tests.sandbox.helpers import REQUEST_ID


def client_for(sandbox, ak=AK, sk=SK, project_id=PROJECT_ID):
    credentials = BasicCredentials(ak, sk, project_id)
    return ModelArtsClient.new_builder().with_credentials(credentials).with_endpoints([sandbox.url]).build()


@pytest.fixture
def client(sandbox):
    return client_for(sandbox)


def create_request(name="sdk-pool", count=2, description="GPU pool for the vision team \u8bad\u7ec3\u6c60"):
    body = CreatePoolRequestBody(
        api_version="v2",
        kind="Pool",
        metadata=PoolMetadataCreation(
            labels=PoolLabelsCreation(os_modelarts_name=name, os_modelarts_workspace_id="0"),
            annotations=PoolAnnotationsCreation(
                os_modelarts_description=description, os_modelarts_billing_mode="0"
            ),
        ),
        spec=PoolSpecCreation(
            type="Dedicate",
            scope=["Train", "Infer"],
            resources=[PoolResourceFlavor(flavor="modelarts.vm.gpu.t4u8", count=count)],
            network=PoolSpecCreationNetwork(name=f"network-a1b2-{PROJECT_ID}"),
        ),
    )
    return CreatePoolRequest(body=body)


def test_the_nine_operations_through_the_sdk(sandbox, client):
    created = client.create_pool(create_request(count=3)).to_json_object()
    name = created["metadata"]["name"]
    assert created["metadata"]["annotations"]["os.modelarts/description"].endswith("\u8bad\u7ec3\u6c60")
    assert created["status"] == {"resources": {}}

    sandbox.settle()

    shown = client.show_pool(ShowPoolRequest(pool_name=name)).to_json_object()
    assert shown["status"]["phase"] == "Running"
    assert shown["status"]["resources"]["available"][0]["count"] == 3
    listed = client.list_pools(ListPoolsRequest(workspace_id="0", status="created")).to_json_object()
    assert [pool["metadata"]["name"] for pool in listed["items"]] == [name]

    nodes = client.list_pool_nodes(ListPoolNodesRequest(pool_name=name, limit=2))
    assert len(nodes.items) == 2
    assert nodes.metadata.remaining_item_count == 1
    rest = client.list_pool_nodes(
        ListPoolNodesRequest(pool_name=name, limit=2, _continue=nodes.metadata._continue)
    )
    assert len(rest.items) == 1
    assert not rest.to_json_object()["metadata"]

    deleted = client.batch_delete_pool_nodes(
        BatchDeletePoolNodesRequest(
            pool_name=name, body=NodesDeletionRequest(delete_node_names=[rest.items[0].metadata.name])
        )
    )
    assert deleted.status_code == 200

    monitor = client.show_pool_monitor(
        ShowPoolMonitorRequest(pool_name=name, time_range="-1.-1.60", statistics="average", period="300")
    )
    assert [metric.metric.metric_name for metric in monitor.metrics][:3] == [
        "cpuUsage",
        "memUsedRate",
        "gpuUtil",
    ]
    assert all(point.statistics[0].statistic == "average" for point in monitor.metrics[0].data_points)

    stats = client.show_pool_statistics(ShowPoolStatisticsRequest()).to_json_object()
    assert stats["statistics"]["status"]["created"] == 1

    runtime = client.show_pool_runtime_metrics(ShowPoolRuntimeMetricsRequest())
    assert runtime.items[0].metadata.name == name
    assert runtime.items[0].table.capacity.value.tnt004 == "2"  # one of three nodes is being deleted

    gone = client.delete_pool(DeletePoolRequest(pool_name=name)).to_json_object()
    assert gone["metadata"]["deletionTimestamp"]
    assert gone["status"]["phase"] == "Running"

    assert sandbox.call_counts() == {
        "CreatePool": 1,
        "ShowPool": 1,
        "ListPools": 1,
        "ListPoolNodes": 2,
        "BatchDeletePoolNodes": 1,
        "ShowPoolMonitor": 1,
        "ShowPoolStatistics": 1,
        "ShowPoolRuntimeMetrics": 1,
        "DeletePool": 1,
    }


def test_the_sdk_pages_through_the_big_pool_while_nodes_are_deleted(seeded_sandbox, client):
    big = next(
        pool["metadata"]["name"]
        for pool in client.list_pools(ListPoolsRequest(label_selector="team=llm")).to_json_object()["items"]
        if pool["spec"]["resources"][0]["count"] == 520
    )
    names, token, deleted = [], None, []
    while True:
        page = client.list_pool_nodes(ListPoolNodesRequest(pool_name=big, limit=200, _continue=token))
        names += [node.metadata.name for node in page.items]
        token = page.metadata._continue if page.metadata else None
        if not token:
            break
        # Between pages, delete the last node read and let the deletion finish.
        victim = NodesDeletionRequest(delete_node_names=[names[-1]])
        client.batch_delete_pool_nodes(BatchDeletePoolNodesRequest(pool_name=big, body=victim))
        deleted.append(names[-1])
        seeded_sandbox.advance(15)

    assert len(names) == len(set(names)) == 520
    assert len(seeded_sandbox.nodes(PROJECT_ID, big)) == 520 - len(deleted) == 518


def test_sdk_errors_carry_the_code_and_request_id(sandbox, client):
    with pytest.raises(ClientRequestException) as not_found:
        client.show_pool(ShowPoolRequest(pool_name="pool-nothing-00000000000000000000000000000000"))

    assert not_found.value.status_code == 404
    assert not_found.value.error_code == "ModelArts.50015001"
    assert REQUEST_ID.fullmatch(not_found.value.request_id)


def test_the_sdk_sees_a_bad_body_field(sandbox, client):
    with pytest.raises(ClientRequestException) as bad:
        client.create_pool(create_request(name="x"))

    assert bad.value.status_code == 400
    assert bad.value.error_code == "ModelArts.50004000"
    assert 'metadata.labels["os.modelarts/name"]' in bad.value.error_msg


def test_the_sdk_is_refused_with_a_wrong_secret(sandbox):
    with pytest.raises(ClientRequestException) as refused:
        client_for(sandbox, sk="wrong-secret").list_pools(ListPoolsRequest())

    assert refused.value.status_code == 401
    assert refused.value.error_code == "APIG.0301"


def test_the_sdk_is_refused_another_project(sandbox):
    with pytest.raises(ClientRequestException) as refused:
        client_for(sandbox, project_id=OTHER_PROJECT_ID).list_pools(ListPoolsRequest())

    assert refused.value.status_code == 403
    assert refused.value.error_code == "ModelArts.0210"


def test_the_sdk_sees_server_errors(sandbox, client):
    sandbox.faults.error(503, count=1)

    with pytest.raises(ServerResponseException) as failed:
        client.show_pool_statistics(ShowPoolStatisticsRequest())

    assert failed.value.status_code == 503
    assert failed.value.error_code == "APIG.0202"


def test_the_sdk_keeps_the_throttling_details_on_post(sandbox, client):
    sandbox.faults.throttle(count=1, operation="CreatePool")

    with pytest.raises(ClientRequestException) as throttled:
        client.create_pool(create_request())

    assert throttled.value.status_code == 429
    assert throttled.value.error_code == "APIG.0308"
    assert sandbox.pools(PROJECT_ID) == []


def test_the_sdk_retries_a_throttled_get_with_the_same_signature(sandbox):
    from huaweicloudsdkcore.http.http_config import HttpConfig

    config = HttpConfig.get_default_config()
    config.retry_times = 2
    client = (
        ModelArtsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
        .with_endpoints([sandbox.url])
        .build()
    )
    sandbox.faults.throttle(count=2, retry_after=0, operation="ListPools")

    listed = client.list_pools(ListPoolsRequest())

    assert listed.status_code == 200
    assert [call.status for call in sandbox.call_log("ListPools")] == [429, 429, 200]


def test_the_sdk_sees_a_dropped_connection(sandbox, client):
    sandbox.faults.drop(count=1)

    with pytest.raises(ConnectionException):
        client.list_pools(ListPoolsRequest())
