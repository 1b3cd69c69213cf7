"""A list written out in the reader's language: "Train, Infer" in English, "Train、Infer" in Chinese."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext_lazy

# Translators: what goes between the items of a list (Chinese writes the enumeration comma, 、).
LIST_SEPARATOR = pgettext_lazy("between the items of a list", ", ")
# Translators: what goes between items that are phrases of their own, such as event names ("A pool failed;
# A node is abnormal" in English); Chinese lists them like any items.
PHRASE_SEPARATOR = pgettext_lazy("between the phrases of a list", "; ")


def join_list(items: Iterable[object]) -> str:
    """``items`` as one text, separated as the active language separates the items of a list."""
    return str(LIST_SEPARATOR).join(str(item) for item in items)


def join_phrases(items: Iterable[object]) -> str:
    """``items`` that are phrases of their own (capitalised names), separated as the language lists them."""
    return str(PHRASE_SEPARATOR).join(str(item) for item in items)
