"""JSON in and out of the client: msgspec where it can, the standard library where msgspec refuses.

Answers are decoded on every cold read, and a list of hundreds of pools is a quarter of a megabyte: msgspec
decodes it in about half the standard library's time, integers of any size exactly. It refuses strings
with unpaired surrogate escapes, which the standard library reads; such a body is decoded again that way.
Neither reads NaN or Infinity (not JSON), so whatever ``loads`` returns, ``dumps`` writes back unchanged.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import msgspec

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


class NotJson(ValueError):
    """What was to be decoded is not JSON."""


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")


def loads(content: bytes | str) -> Any:
    """``content`` decoded; ``NotJson`` (or ``RecursionError``) when it is not JSON."""
    try:
        return _decode(content)
    except msgspec.DecodeError:
        try:
            return json.loads(content, parse_constant=_not_json)
        except ValueError as error:
            raise NotJson(str(error)) from None


def dumps(value: Any) -> bytes:
    """``value`` (what ``loads`` returned) encoded again, compactly."""
    try:
        return _encode(value)
    except UnicodeEncodeError:  # an unpaired surrogate, which only the standard library escapes
        return json.dumps(value, separators=(",", ":")).encode()
