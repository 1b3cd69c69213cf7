"""Pool tags (TMS tags, not ``metadata.labels``): ShowPoolTags, BatchCreatePoolTags, BatchDeletePoolTags and
ListPoolTags.

Shapes follow the SDK 3.1.219 models and Huawei's Chinese API pages: answers list ``{key, values[]}``
(``PoolTag``), request bodies ``{"tags": [{key, value}]}``. Limits follow the SDK's ``TmsTag`` docstring: a
key is 1-128 characters (letters of any language, digits, spaces and ``_ . : = + - @``, no space at either
end, not starting with ``_sys_``), a value 0-255 characters (the same, plus ``/``). The ModelArts pages name
no per-pool count; the sandbox keeps Huawei's usual 20 tags per resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pools.sandbox import errors
from pools.sandbox.store import Store
from pools.sandbox.validation import parse_json_object

MAX_TAGS_PER_POOL = 20
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 255
DEFAULT_LIST_LIMIT = 200
KEY_PATTERN = re.compile(r"[\w .:=+\-@]+")
VALUE_PATTERN = re.compile(r"[\w .:/=+\-@]*")
SYSTEM_PREFIX = "_sys_"


def tag_problem(key: object, value: object, *, value_required: bool = True) -> str | None:
    """Why ``key``/``value`` is not a valid tag, or None."""
    if not isinstance(key, str) or not key:
        return "key: is required"
    if len(key) > MAX_KEY_LENGTH:
        return f"key: at most {MAX_KEY_LENGTH} characters"
    if key != key.strip() or not KEY_PATTERN.fullmatch(key):
        return "key: letters, digits, spaces and _ . : = + - @ only, no space at either end"
    if key.startswith(SYSTEM_PREFIX):
        return f"key: must not start with {SYSTEM_PREFIX}"
    if value is None and not value_required:
        return None
    if not isinstance(value, str):
        return "value: must be a string"
    if len(value) > MAX_VALUE_LENGTH:
        return f"value: at most {MAX_VALUE_LENGTH} characters"
    if not VALUE_PATTERN.fullmatch(value):
        return "value: letters, digits, spaces and _ . : / = + - @ only"
    return None


def _tags_in(body: bytes, *, value_required: bool) -> list[tuple[str, str | None]]:
    tags = parse_json_object(body).get("tags")
    if not isinstance(tags, list) or not tags:
        raise errors.bad_request("tags: must be a non-empty list of {key, value}")
    if len(tags) > MAX_TAGS_PER_POOL:
        raise errors.bad_request(f"tags: at most {MAX_TAGS_PER_POOL} in one request")
    parsed, problems = [], []
    for index, tag in enumerate(tags):
        if not isinstance(tag, dict):
            problems.append(f"tags[{index}]: must be an object")
            continue
        problem = tag_problem(tag.get("key"), tag.get("value"), value_required=value_required)
        if problem:
            problems.append(f"tags[{index}].{problem}")
        else:
            parsed.append((tag["key"], tag.get("value")))
    if problems:
        raise errors.bad_request("; ".join(problems))
    return parsed


def render_tags(tags: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"key": key, "values": [tags[key]]} for key in sorted(tags)]


def show_pool_tags(store: Store, project_id: str, pool_name: str) -> dict[str, Any]:
    with store.lock:
        return {"tags": render_tags(store.find(project_id, pool_name).tags)}


def create_pool_tags(store: Store, project_id: str, pool_name: str, body: bytes) -> dict[str, Any]:
    """Adds the tags, overwriting the value of a key the pool already has."""
    tags = _tags_in(body, value_required=True)
    with store.lock:
        pool = store.find(project_id, pool_name)
        merged = {**pool.tags, **{key: value or "" for key, value in tags}}
        if len(merged) > MAX_TAGS_PER_POOL:
            raise errors.bad_request(
                f"tags: a pool has at most {MAX_TAGS_PER_POOL} tags; it would have {len(merged)}"
            )
        pool.tags = merged
        store.changed()
        return {"tags": render_tags(pool.tags)}


def delete_pool_tags(store: Store, project_id: str, pool_name: str, body: bytes) -> dict[str, Any]:
    """Removes each named key (when a value is given, only if the pool's value is that one); keys the pool
    does not have are ignored, so a repeated delete changes nothing."""
    tags = _tags_in(body, value_required=False)
    with store.lock:
        pool = store.find(project_id, pool_name)
        for key, value in tags:
            if key in pool.tags and (value is None or pool.tags[key] == value):
                del pool.tags[key]
        store.changed()
        return {"tags": render_tags(pool.tags)}


def list_pool_tags(store: Store, project_id: str, query: Mapping[str, str]) -> dict[str, Any]:
    """Every tag key used on the project's pools, with the values each key has (``limit``/``offset`` page
    the keys)."""
    try:
        limit = int(query.get("limit") or DEFAULT_LIST_LIMIT)
        offset = int(query.get("offset") or 0)
    except ValueError:
        raise errors.bad_request("limit and offset: must be whole numbers") from None
    if limit < 1 or offset < 0:
        raise errors.bad_request("limit: at least 1; offset: at least 0")
    values: dict[str, set[str]] = {}
    with store.lock:
        for pool in store.project_pools(project_id):
            for key, value in pool.tags.items():
                values.setdefault(key, set()).add(value)
    keys = sorted(values)[offset : offset + limit]
    return {"tags": [{"key": key, "values": sorted(values[key])} for key in keys]}
