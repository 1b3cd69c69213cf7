"""ListPoolNodes' ``continue`` tokens: opaque, URL-safe, and key-based.

A token records the name of the last node returned, so the next page starts after it whatever was deleted
in between: no node is skipped or repeated because the list shrank. It also records the pool, so a token
cannot be replayed against another pool.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

DEFAULT_LIMIT = 500
MAX_LIMIT = 500


def encode(pool_name: str, after: str) -> str:
    raw = json.dumps({"pool": pool_name, "after": after}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(token: str, pool_name: str) -> str:
    """The node name to resume after; ``ValueError`` for a token that is not ours or not this pool's."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a continue token issued by this service") from None
    if not isinstance(data, dict) or not isinstance(data.get("after"), str):
        raise ValueError("not a continue token issued by this service")
    if data.get("pool") != pool_name:
        raise ValueError("the continue token belongs to another pool")
    return data["after"]


def parse_limit(text: str | None) -> int:
    """``limit`` from the query: 0–500, where absent or 0 mean the default of 500."""
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) > MAX_LIMIT:
        raise ValueError(f"must be a whole number from 0 to {MAX_LIMIT}")
    return int(text) or DEFAULT_LIMIT
