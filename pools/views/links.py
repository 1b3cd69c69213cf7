"""Addresses the pool pages link to: the same page with or without the refresh flag, and a pool's pages."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, QueryDict
from django.urls import reverse

REFRESH_PARAMETER = "refresh"

_POOL_MARKER = "pool-name-placeholder"
# What reverse() leaves unquoted in a path segment, except "/", which a pool id never holds.
_SUBDELIMS = "!$&'()*+,;=~:@"


def wants_refresh(request: HttpRequest) -> bool:
    """The page's refresh button asks to bypass the cache (still one upstream call for everyone)."""
    return request.GET.get(REFRESH_PARAMETER) == "1"


def query_without(query: QueryDict, *names: str) -> str:
    """The query string without ``names`` (and never the refresh flag), for links and polling."""
    kept = query.copy()
    for name in (REFRESH_PARAMETER, *names):
        kept.pop(name, None)
    return kept.urlencode()


def with_refresh(path: str, query: str) -> str:
    """``path?query`` with the refresh flag set."""
    return f"{path}?{query + '&' if query else ''}{REFRESH_PARAMETER}=1"


def pool_url(name: str, connection_id: int, pool_name: str) -> str:
    """``reverse(name, args=[connection_id, pool_name])`` for any pool id ModelArts sends: reverse() refuses
    a "/" in the segment, and one odd id must not break a whole list, so the id is quoted here instead."""
    return pool_urls(name, connection_id)(pool_name)


def pool_urls(name: str, connection_id: int) -> Callable[[str], str]:
    """``pool_url`` for the many pools of one list: the route is resolved once (reverse() costs ~25 µs, and
    the pool list links hundreds of pools; docs/performance.md)."""
    head, tail = reverse(name, args=[connection_id, _POOL_MARKER]).split(_POOL_MARKER)
    return lambda pool_name: f"{head}{quote(pool_name, safe=_SUBDELIMS)}{tail}"


# ModelArts' answers to a page asked for with a ``continue`` token it does not take: malformed or altered (400),
# or expired (410, as Kubernetes-style lists answer).
REFUSED_PLACE_STATUSES = (400, 410)


def place_refused(read, continue_token: str | None) -> bool:
    """Whether ModelArts refused the place in a list that this page's link asked for (an old or altered link),
    so the page can say so and offer the first page, rather than show only ModelArts' 400."""
    error = getattr(read, "error", None)
    status = getattr(getattr(error, "upstream", None), "status", None)
    return bool(continue_token) and status in REFUSED_PLACE_STATUSES


def first_page_url(request: HttpRequest, *kept: str) -> str:
    """This page from the start of its list: its path with only the ``kept`` filters of its query."""
    query = QueryDict(mutable=True)
    for name in kept:
        if request.GET.get(name):
            query[name] = request.GET[name]
    return f"{request.path}?{query.urlencode()}" if query else request.path
