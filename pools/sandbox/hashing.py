"""Deterministic pseudo-randomness: the same seed and inputs always give the same names and numbers."""

from __future__ import annotations

import hashlib

_ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz"


def digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(part) for part in parts).encode("utf-8")).digest()


def hex32(*parts: object) -> str:
    return digest(*parts).hex()[:32]


def seed_of(*parts: object) -> int:
    return int.from_bytes(digest(*parts)[:8], "big")


def fraction(*parts: object) -> float:
    """A number in [0, 1) derived from the parts."""
    return seed_of(*parts) / 2**64


def alphanumeric(length: int, *parts: object) -> str:
    number = int.from_bytes(digest(*parts), "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(_ALPHANUMERIC))
        chars.append(_ALPHANUMERIC[index])
    return "".join(chars)


def uuid_of(*parts: object) -> str:
    text = digest(*parts).hex()
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:32]}"
