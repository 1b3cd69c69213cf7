"""The node action form: the selection checked against the pool's nodes for the action, and a reset's
rolling strategy."""

import pytest
from django.http import QueryDict

from pools.forms.node_actions import NodeActionForm, WorkloadFilterForm
from pools.modelarts.types import Node
from pools.node_actions import MAX_UNAVAILABLE_REQUIRED, NO_ROLLING_ON_VM, PERCENT_RANGE, TOO_MANY_TO_DRAIN


def node(name, phase="Available", flavor="modelarts.bm.gpu.8v100", locked=False):
    metadata = {
        "name": name,
        **({"annotations": {"os.modelarts.node/lock.action": "delete"}} if locked else {}),
    }
    return Node.parse({"metadata": metadata, "spec": {"flavor": flavor}, "status": {"phase": phase}})


NODES = [node(f"os-node-created-{index:05d}") for index in range(12)]


def form(action, names, **extra):
    data = QueryDict(mutable=True)
    data.setlist("nodes", names)
    data.update({"reason": "Because.", "submission_key": "a" * 32, **extra})
    return NodeActionForm(data, action=action, pool_nodes=NODES)


def test_a_reboot_body_names_the_nodes():
    filled = form("reboot", [NODES[0].name, NODES[1].name])

    assert filled.is_valid(), filled.errors
    assert filled.body() == {"nodeNames": [NODES[0].name, NODES[1].name]}


def test_a_drain_takes_ten_nodes_not_eleven():
    assert form("drain", [n.name for n in NODES[:10]]).is_valid()
    eleven = form("drain", [n.name for n in NODES[:11]])
    assert not eleven.is_valid() and eleven.errors["nodes"] == [TOO_MANY_TO_DRAIN]


def test_lock_and_unlock_bodies_carry_the_delete_action():
    filled = form("lock", [NODES[0].name])
    assert filled.is_valid() and filled.body() == {"nodeNames": [NODES[0].name], "actions": ["delete"]}
    assert "nodes" in form("unlock", [NODES[0].name]).errors  # not locked


@pytest.mark.parametrize(
    "extra, error",
    [
        ({"strategy": "RollingByNumber"}, ("max_unavailable", MAX_UNAVAILABLE_REQUIRED)),
        ({"strategy": "RollingByPercent", "max_unavailable": "150"}, ("max_unavailable", PERCENT_RANGE)),
        ({"strategy": "Fastest", "max_unavailable": "1"}, ("strategy", None)),
    ],
)
def test_a_reset_s_rolling_strategy_is_checked(extra, error):
    filled = form("reset", [NODES[0].name], **extra)

    assert not filled.is_valid()
    field, message = error
    assert field in filled.errors and (message is None or message in filled.errors[field])


def test_a_rolling_reset_is_refused_for_vm_nodes_and_offered_for_bare_metal():
    vm = node("os-node-created-vmvmv", flavor="modelarts.vm.gpu.t4u8")
    data = QueryDict(mutable=True)
    data.setlist("nodes", [vm.name])
    data.update({"reason": "x", "strategy": "RollingByNumber", "max_unavailable": "1"})
    refused = NodeActionForm(data, action="reset", pool_nodes=[vm])
    rolling = form("reset", [NODES[0].name], strategy="RollingByPercent", max_unavailable="25")

    assert not refused.is_valid() and refused.errors["strategy"] == [NO_ROLLING_ON_VM]
    assert rolling.is_valid() and rolling.body()["rollingConfig"] == {
        "strategy": "RollingByPercent",
        "maxUnavailable": 25,
    }


def test_the_workload_filter_takes_the_api_s_values_only():
    assert WorkloadFilterForm({"status": "Pending", "type": "train"}).is_valid()
    assert not WorkloadFilterForm({"status": "pending"}).is_valid()
