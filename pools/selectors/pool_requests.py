"""Reads the delete-request pages need: a pool and every one of its nodes, and whether a deletion of the pool
can be requested now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pools.change_kinds.pool_state import pool_deletion_problem
from pools.core.errors import ApplicationError
from pools.modelarts.types import Node, Pool
from pools.models import ChangeRequest, Connection
from pools.selectors.modelarts import node_page

POOL_UNREAD = "The pool could not be read."


@dataclass(frozen=True)
class PoolDeletion:
    """What a pool's page offers for deleting it: the open request that already asks for it, or the reason
    none can be filed now (both None: "Request deletion…")."""

    open_request: ChangeRequest | None = None
    problem: str | None = None

    @property
    def can_request(self) -> bool:
        return self.open_request is None and self.problem is None


def pool_deletion(*, pool: Pool | None, open_requests: Iterable[ChangeRequest]) -> PoolDeletion:
    """``open_requests``: the pool's open change requests (``open_change_requests_by_pool``)."""
    already = next((cr for cr in open_requests if cr.kind == ChangeRequest.Kind.DELETE_POOL), None)
    if already is not None:
        return PoolDeletion(open_request=already)
    if pool is None:
        return PoolDeletion(problem=POOL_UNREAD)
    return PoolDeletion(problem=pool_deletion_problem(pool))


# ListPoolNodes pages hold at most 500 nodes (§6); this bounds one page view's upstream calls.
NODE_PAGE_LIMIT = 500
MAX_NODE_PAGES = 40
TOO_MANY_NODES = "Pool {pool} has more than {limit} nodes; this page cannot list them all."


@dataclass(frozen=True)
class AllNodes:
    nodes: list[Node] | None  # None when they could not all be read
    error: ApplicationError | None = None


def pool_nodes_all(*, connection: Connection, pool_name: str) -> AllNodes:
    """Every node of the pool, following the ``continue`` token; an error instead of a partial list."""
    nodes: list[Node] = []
    token: str | None = None
    for _ in range(MAX_NODE_PAGES):
        page = node_page(
            connection=connection, pool_name=pool_name, continue_token=token, limit=NODE_PAGE_LIMIT
        )
        if page.value is None or page.error is not None:
            return AllNodes(None, page.error)
        nodes.extend(page.value.items)
        token = page.value.continue_token
        if token is None:
            return AllNodes(nodes)
    return AllNodes(
        None, ApplicationError(TOO_MANY_NODES.format(pool=pool_name, limit=NODE_PAGE_LIMIT * MAX_NODE_PAGES))
    )
