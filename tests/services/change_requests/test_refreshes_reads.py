"""After a change executes, the pages read ModelArts afresh instead of showing what they cached before."""

import pytest

from pools.selectors.modelarts import node_page, pool_list
from pools.services.change_requests import change_request_approve, change_request_create

pytestmark = pytest.mark.django_db


def phases(result):
    return {node.name: node.phase for node in result.value.items}


def test_node_page_shows_deleting_right_after_an_approved_deletion(
    cloud, cloud_connection, operator, approver, settings
):
    settings.SELECTOR_CACHE_SECONDS = 300  # long enough that only invalidation can explain a fresh read
    pool = cloud.add_pool("pool-fresh", nodes=3)
    before = node_page(connection=cloud_connection, pool_name=pool)
    victim = next(iter(phases(before)))
    assert phases(before)[victim] == "Available"

    request = change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_nodes",
        target=pool,
        body={"deleteNodeNames": [victim]},
        reason="retire a node",
        idempotency_key="fresh-1",
    )
    change_request_approve(user=approver, change_request=request)

    after = node_page(connection=cloud_connection, pool_name=pool)
    assert phases(after)[victim] == "Deleting"


def test_pool_list_shows_a_new_pool_right_after_an_approved_create(
    cloud, cloud_connection, operator, approver, settings
):
    from tests.fixtures.approvals import create_body

    settings.SELECTOR_CACHE_SECONDS = 300
    assert [
        p.display_name for p in pool_list(connection=cloud_connection, workspace_id=None).value.items
    ] == []
    request = change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="create_pool",
        target="pool-brand-new",
        body=create_body("pool-brand-new"),
        reason="more capacity",
        idempotency_key="fresh-2",
    )
    change_request_approve(user=approver, change_request=request)
    names = [p.display_name for p in pool_list(connection=cloud_connection, workspace_id=None).value.items]
    assert names == ["pool-brand-new"]
