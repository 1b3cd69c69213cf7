"""The rules of the node actions: which node states each action takes, locks, rolling resets."""

import pytest

from pools.node_actions import (
    ALREADY_LOCKED,
    LOCKED_CANNOT_DRAIN,
    NOT_LOCKED,
    NodeState,
    action_problem,
    rolling_allowed,
)


def node(name="os-node-created-aaaaa", phase="Available", locked=(), flavor="modelarts.bm.gpu.8v100"):
    return NodeState(name, phase, tuple(locked), flavor)


@pytest.mark.parametrize(
    "action, phase, allowed",
    [
        ("reboot", "Available", True),
        ("reboot", "Abnormal", True),
        ("reboot", "Creating", False),
        ("reboot", "Rebooting", False),
        ("drain", "Available", True),
        ("drain", "Abnormal", False),
        ("reset", "Abnormal", True),
        ("reset", "Deleting", False),
        ("lock", "Rebooting", True),
        ("lock", "Deleting", False),
    ],
)
def test_each_action_takes_the_states_modelarts_takes(action, phase, allowed):
    problem = action_problem(action, [node(phase=phase, locked=("delete",) if action == "unlock" else ())])
    assert (problem is None) == allowed
    if not allowed:
        assert f"({phase})" in problem


def test_locks_decide_drain_lock_and_unlock():
    locked, free = node(locked=("delete",)), node(name="os-node-created-bbbbb")

    assert action_problem("drain", [locked]) == LOCKED_CANNOT_DRAIN.format(names=locked.name)
    assert action_problem("lock", [locked, free]) == ALREADY_LOCKED.format(names=locked.name)
    assert action_problem("unlock", [locked, free]) == NOT_LOCKED.format(names=free.name)
    assert action_problem("unlock", [locked]) is None


def test_a_rolling_reset_is_for_bare_metal_only():
    assert rolling_allowed([node()])
    assert not rolling_allowed([node(), node(flavor="modelarts.vm.gpu.t4u8")])
