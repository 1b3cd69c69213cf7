"""Joining words the way the reader's language does: clauses of a sentence ("; " or "；") and the items of
a list (", " or "、"). Summaries and notices are built from parts; the separators translate with them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def clauses(parts: Iterable[str]) -> str:
    """'Dedicate pool for Train; 2 × flavor; pay-per-use' in English, with '；' in Chinese."""
    return pgettext("separator between the clauses of a sentence", "; ").join(parts)


def listed(items: Iterable[str]) -> str:
    """'Train, Infer' in English, 'Train、Infer' in Chinese."""
    return pgettext("separator between the items of a list", ", ").join(items)
