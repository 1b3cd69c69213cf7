"""Unlock nodes: BatchUnlockPoolNodes ``{"nodeNames": [...], "actions": ["delete"]}``; the kind is defined next
to the lock it undoes (``lock_nodes.py``)."""

from __future__ import annotations

from pools.change_kinds.lock_nodes import UnlockNodes

__all__ = ["UnlockNodes"]
