"""Every kind of change request, one module each: what it may ask for, how ModelArts shows what it changes,
the one call that makes it, and how its completion shows (see ``base.ChangeKind``).

To add a kind: a module here with a ``ChangeKind`` subclass, one line in ``KINDS``, its value in
``ChangeRequest.Kind`` (with a migration) and its ``APPROVALS_REQUIRED_<KIND>`` setting.

This package takes values (a client, a connection, a request) and imports nothing of the models, reads or
writes, so all three use the same definition of a kind.
"""

from __future__ import annotations

from pools.change_kinds.accept_event import AcceptEvent
from pools.change_kinds.base import (
    DONE,
    FAILED,
    MISSING,
    PENDING,
    CallDescription,
    Called,
    ChangeKind,
    Observation,
)
from pools.change_kinds.create_pool import CreatePool
from pools.change_kinds.delete_nodes import DeleteNodes
from pools.change_kinds.delete_pool import DeletePool
from pools.change_kinds.drain_nodes import DrainNodes
from pools.change_kinds.edit_pool import EditPool
from pools.change_kinds.lock_nodes import LockNodes
from pools.change_kinds.pool_tags import PoolTags
from pools.change_kinds.reboot_nodes import RebootNodes
from pools.change_kinds.reset_nodes import ResetNodes
from pools.change_kinds.scale_pool import ScalePool
from pools.change_kinds.unlock_nodes import UnlockNodes

KINDS: dict[str, ChangeKind] = {
    kind.name: kind
    for kind in (
        CreatePool(),
        DeletePool(),
        DeleteNodes(),
        ScalePool(),
        EditPool(),
        PoolTags(),
        RebootNodes(),
        DrainNodes(),
        LockNodes(),
        UnlockNodes(),
        ResetNodes(),
        AcceptEvent(),
    )
}


def change_kind(name: str) -> ChangeKind:
    """The kind called ``name``; KeyError for an unknown one."""
    return KINDS[name]


__all__ = [
    "DONE",
    "FAILED",
    "KINDS",
    "MISSING",
    "PENDING",
    "CallDescription",
    "Called",
    "ChangeKind",
    "Observation",
    "change_kind",
]
