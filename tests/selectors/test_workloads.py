"""The workload reads against the sandbox: a node, the blast radius of a selection (cached for pages, read
afresh for approvers), and a filed request's blast radius against the count kept when it was filed."""

import pytest

from pools.modelarts.types import Node
from pools.selectors.workloads import (
    blast_radius,
    change_request_blast_radius,
    node_get,
    nodes_named,
    pool_workloads,
    workload_statistics,
)
from pools.services import change_requests as svc
from tests.fixtures.sandbox import PROJECT_ID, pool_id
from tests.sandbox.helpers import call

pytestmark = pytest.mark.django_db


def nodes_of(sandbox, pool):
    return [Node.parse(raw) for raw in sandbox.nodes(PROJECT_ID, pool)]


def test_the_blast_radius_is_the_workloads_on_the_nodes(locmem_cache, seeded_sandbox, sandbox_connection):
    pool = pool_id(seeded_sandbox, "vision-train")
    chosen = nodes_of(seeded_sandbox, pool)[:3]

    read = blast_radius(connection=sandbox_connection, pool_name=pool, nodes=chosen)
    everything = pool_workloads(connection=sandbox_connection, pool_name=pool).value.items

    addresses = {node.private_ip for node in chosen}
    expected = [w.name for w in everything if addresses.intersection(w.host_ips)]
    assert [w.name for w in read.value.workloads] == expected and read.value.node_count == 3
    assert read.value.users == sorted({w.user_name for w in read.value.workloads})


def test_nodes_without_an_address_are_named_and_cost_no_call(
    locmem_cache, seeded_sandbox, sandbox_connection
):
    creating = pool_id(seeded_sandbox, "ant8-expansion")
    chosen = nodes_of(seeded_sandbox, creating)[:2]
    seeded_sandbox.clear_calls()

    read = blast_radius(connection=sandbox_connection, pool_name=creating, nodes=chosen)

    assert read.value.count == 0 and read.value.nodes_without_address == tuple(n.name for n in chosen)
    assert seeded_sandbox.calls() == 0


def test_a_page_s_blast_radius_is_cached_and_an_approver_s_is_read_afresh(
    locmem_cache, seeded_sandbox, sandbox_connection, operator
):
    pool = pool_id(seeded_sandbox, "infer-t4")
    first = nodes_of(seeded_sandbox, pool)[0]
    blast_radius(connection=sandbox_connection, pool_name=pool, nodes=[first])
    cr = svc.change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="reboot_nodes",
        target=pool,
        body={"nodeNames": [first.name]},
        reason="Stuck GPU",
        idempotency_key="k-radius",
    )
    call(seeded_sandbox, "POST", f"/pools/{pool}/nodes/batch-drain", json={"nodeNames": [first.name]})

    cached = blast_radius(connection=sandbox_connection, pool_name=pool, nodes=[first])
    live = change_request_blast_radius(change_request=cr)

    assert cached.value.count == cr.snapshot["workloads"] == 1
    assert live.read.value.count == 0 and live.filed_count == 1


def test_a_node_and_the_pool_s_counts(locmem_cache, seeded_sandbox, sandbox_connection):
    pool = pool_id(seeded_sandbox, "infer-t4")
    name = nodes_of(seeded_sandbox, pool)[1].name

    node = node_get(connection=sandbox_connection, pool_name=pool, node_name=name)
    counts = workload_statistics(connection=sandbox_connection, pool_name=pool)

    assert node.value.name == name and node.value.phase == "Available"
    assert counts.value.by_status() == [("Running", 12)]
    assert nodes_named(nodes_of(seeded_sandbox, pool), [name, "missing"]) == [node.value]
