"""Tolerant readers of single JSON values (Kubernetes quantities, RFC 3339 times, maybe-objects, maybe-lists,
numbers sent as strings) that the value types in ``types.py`` and ``metrics.py`` share.

Each returns a neutral value for anything unreadable rather than failing a whole page over one odd field;
only ``items_of`` is strict, since a list answer without its ``items`` list is no answer at all.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pools.modelarts.errors import InvalidResponseError

_QUANTITY = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$")
_SUFFIX = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
}


def parse_quantity(value: Any) -> float | None:
    """A Kubernetes quantity ("3920m", "128Gi", "5", 5) as a float; memory comes out in bytes.

    Returns None for anything unreadable rather than failing a whole page over one odd value.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _QUANTITY.match(str(value))
    if not match or match.group(2) not in _SUFFIX:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 UTC (``2025-01-01T08:00:05Z``) as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def as_str_map(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in as_dict(value).items()}


def named_object(data: Any, what: str) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A Kubernetes-style object's ``metadata.name``, ``metadata``, ``spec`` and ``status``;
    InvalidResponseError when it is not an object or has no name."""
    if not isinstance(data, dict):
        raise InvalidResponseError(f"{what}: expected a JSON object")
    metadata = as_dict(data.get("metadata"))
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidResponseError(f"{what}: metadata.name is missing")
    return name, metadata, as_dict(data.get("spec")), as_dict(data.get("status"))


def items_of(body: Any, what: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
        raise InvalidResponseError(f"{what}: expected an object with an 'items' list")
    return body.get("items") or []
