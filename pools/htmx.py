"""Partial-or-page rendering and the small response helpers the views share."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def template_for(request: HtmxHttpRequest, page: str, partial: str) -> str:
    """``page`` for a normal request, ``page#partial`` when htmx asks for just that part.

    A history restore (back button) wants the whole page, even though htmx sent it.
    """
    if request.htmx and not request.htmx.history_restore_request:
        return f"{page}#{partial}"
    return page


@dataclass(frozen=True)
class Shell:
    """A page rendered without one of its partials, which goes where ``slot`` is."""

    html: str
    slot: str

    def around(self, part: str) -> str:
        return self.html.replace(self.slot, part, 1)


def render_shell(request: HttpRequest, page: str, context: dict[str, Any]) -> Shell:
    """``page`` rendered now, with a slot instead of the partial that waits for upstream answers.

    A page whose table comes from ModelArts renders everything else (layout, navigation, switcher, filters)
    while its read is in flight, and only the table after the answer. The page's template shows
    ``{{ later }}`` instead of that partial's content when ``later`` is set. The slot is a comment with a
    random token: escaped values cannot spell it, and ``around`` fills its first occurrence.
    """
    slot = f"<!--later:{secrets.token_hex(8)}-->"
    html = render_to_string(page, {**context, "later": mark_safe(slot)}, request)  # noqa: S308 - our own comment
    if html.count(slot) != 1:
        raise ImproperlyConfigured(f"{page} must show {{{{ later }}}} once, in place of its deferred partial")
    return Shell(html, slot)
