"""Joining words the way the reader's language does: clauses of a sentence ("; " or "；") and the items of
a list (", " or "、"). Summaries and notices are built from parts; the separators translate with them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def clauses(parts: Iterable[str]) -> str:
    """'Dedicate pool for Train; 2 × flavor; pay-per-use' in English, with '；' in Chinese."""
    return pgettext("separator between the clauses of a sentence", "; ").join(map(str, parts))


def listed(items: Iterable[str]) -> str:
    """'Train, Infer' in English, 'Train、Infer' in Chinese."""
    return list_separator().join(map(str, items))


def list_separator() -> str:
    return pgettext("separator between the items of a list", ", ")


def listed_phrases(items: Iterable[str]) -> str:
    """Items that are phrases of their own, such as event names: 'A pool failed; A node is abnormal' in
    English (commas would run them together), '资源池失败、节点异常' in Chinese, which lists them like any items."""
    return pgettext("separator between the phrases of a list", "; ").join(map(str, items))
