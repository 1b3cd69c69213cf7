"""The client's operations for changing a pool and following the change: PatchPool (scale, edit), the order
a scale makes (ShowOrder, the order list), the pool tags, and the flavors ModelArts sells.

``ModelArtsClient`` inherits them (``client.py``); they use its transport and its answer typing. The changes
(PatchPool, BatchCreatePoolTags, BatchDeletePoolTags) are never replayed: a lost answer raises
``OutcomeUnknownError``, and the caller looks at the pool instead of sending again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import requests

from pools.modelarts.change_types import Order, OrderList, PoolTags, ResourceFlavorList
from pools.modelarts.errors import header_request_id
from pools.modelarts.transport import Transport, path_value
from pools.modelarts.types import Pool

MERGE_PATCH = "application/merge-patch+json"
ORDER_LIST_LIMIT = 500
TAG_LIST_LIMIT = 200

Result = TypeVar("Result")


def _body(data: Any) -> bytes:
    """JSON as the SDK serialises it (the client's ``_json_body``)."""
    return json.dumps(data).encode("ascii")


class PoolChangeOperations:
    """Mixed into ``ModelArtsClient``."""

    _transport: Transport
    _parse: Callable[..., Any]

    def patch_pool(self, name: str, body: Mapping[str, Any]) -> Pool:
        """PatchPool: a JSON merge patch of the pool (``metadata.annotations``, ``spec.scope``, ``spec.driver``,
        ``spec.resources``). Answers with the pool; a count change names its order in
        ``pool.order_name``. Never replayed."""
        if not isinstance(body, Mapping) or not body:
            raise TypeError("the change is given as a non-empty dict (the PatchPool request body)")
        path = f"/pools/{path_value(name, 'pool name')}"
        response = self._transport.call(
            "PatchPool", "PATCH", path, body=_body(dict(body)), user_id=True, content_type=MERGE_PATCH
        )
        return self._parse("PatchPool", response, Pool.parse)

    def show_order(self, order_name: str) -> Order:
        """ShowOrder: the order's items, one per node it adds or removes, each with its status."""
        path = f"/orders/{path_value(order_name, 'order name')}"
        response = self._transport.call("ShowOrder", "GET", path, api_version="v1")
        return self._parse("ShowOrder", response, Order.parse)

    def list_orders(self, pool_name: str, limit: int = ORDER_LIST_LIMIT) -> OrderList:
        """The pool's orders, newest first, with their phases (``GET /v1/{project_id}/orders``)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= ORDER_LIST_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {ORDER_LIST_LIMIT}, not {limit!r}")
        query = [("involvedName", pool_name), ("limit", str(limit))]
        response = self._transport.call("ListOrders", "GET", "/orders", query, api_version="v1")
        return self._parse("ListOrders", response, OrderList.parse)

    def show_pool_tags(self, pool_name: str) -> PoolTags:
        """ShowPoolTags: the pool's tags."""
        path = f"/pools/{path_value(pool_name, 'pool name')}/tags"
        response = self._transport.call("ShowPoolTags", "GET", path, api_version="v1")
        return self._parse("ShowPoolTags", response, PoolTags.parse)

    def create_pool_tags(self, pool_name: str, tags: Mapping[str, str]) -> PoolTags:
        """BatchCreatePoolTags: adds the tags (a key the pool has gets the new value). Never replayed."""
        pairs = _pairs(tags.items() if isinstance(tags, Mapping) else tags, value_required=True)
        path = f"/pools/{path_value(pool_name, 'pool name')}/tags/create"
        response = self._transport.call(
            "BatchCreatePoolTags", "POST", path, body=_body({"tags": pairs}), api_version="v1"
        )
        return self._tags_answer("BatchCreatePoolTags", response)

    def delete_pool_tags(self, pool_name: str, keys: Iterable[str]) -> PoolTags:
        """BatchDeletePoolTags (a DELETE with a body): removes the tags with these keys. Never replayed."""
        pairs = _pairs(((key, None) for key in keys), value_required=False)
        path = f"/pools/{path_value(pool_name, 'pool name')}/tags/delete"
        response = self._transport.call(
            "BatchDeletePoolTags", "DELETE", path, body=_body({"tags": pairs}), api_version="v1"
        )
        return self._tags_answer("BatchDeletePoolTags", response)

    def list_pool_tags(self, limit: int = TAG_LIST_LIMIT, offset: int = 0) -> PoolTags:
        """ListPoolTags: every tag key of the project's pools, with the values each has."""
        query = [("limit", str(limit)), ("offset", str(offset))]
        response = self._transport.call("ListPoolTags", "GET", "/pools/tags", query, api_version="v1")
        return self._parse("ListPoolTags", response, PoolTags.parse)

    def list_resource_flavors(self) -> ResourceFlavorList:
        """ListResourceFlavors: the flavors on sale, each zone ``normal`` or ``soldout``."""
        response = self._transport.call("ListResourceFlavors", "GET", "/resourceflavors", api_version="v1")
        return self._parse("ListResourceFlavors", response, ResourceFlavorList.parse)

    def _tags_answer(self, operation: str, response: requests.Response) -> PoolTags:
        """The tags the answer lists; an empty answer (documented for some tag APIs) lists none."""
        if not response.content.strip():
            return PoolTags({}, None, header_request_id(response.headers))
        return self._parse(operation, response, PoolTags.parse)


def _pairs(items: Iterable[tuple[str, str | None]], *, value_required: bool) -> list[dict[str, str]]:
    pairs = []
    for key, value in items:
        if not isinstance(key, str) or not key:
            raise ValueError("every tag key must be a non-empty string")
        if value_required and not isinstance(value, str):
            raise ValueError(f"the tag {key!r} needs a string value")
        pairs.append({"key": key} if value is None else {"key": key, "value": value})
    if not pairs:
        raise ValueError("name at least one tag")
    return pairs
