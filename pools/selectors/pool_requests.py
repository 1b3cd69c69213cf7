"""Reads the delete-request pages need: a pool and every one of its nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pools.modelarts.types import Node
from pools.selectors.modelarts import node_page
from pools.services.errors import ApplicationError

if TYPE_CHECKING:
    from pools.models import Connection

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
