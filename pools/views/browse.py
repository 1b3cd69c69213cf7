"""What the browse views share: picking a visible connection and reading the refresh flag."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse

from pools.models import Connection
from pools.selectors.connections import visible_connections
from pools.selectors.modelarts import pool_missing

REFRESH_PARAMETER = "refresh"
NO_SUCH_POOL = "ModelArts has no such pool."


def visible_connection(request: HttpRequest, connection_id: int | None) -> Connection:
    """The connection ``connection_id`` if this user may browse with it; 404 otherwise."""
    wanted = str(connection_id)
    connection = next((c for c in visible_connections(request) if str(c.pk) == wanted), None)
    if connection is None:
        raise Http404("No such connection.")
    return connection


def raise_if_pool_missing(read) -> None:
    """A read ModelArts answered "pool not found" makes the page (or tab, or partial) a 404; any other
    failure stays a banner on the page."""
    if pool_missing(read):
        raise Http404(NO_SUCH_POOL)


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


_POOL_MARKER = "pool-name-placeholder"
# What reverse() leaves unquoted in a path segment, except "/", which a pool id never holds.
_SUBDELIMS = "!$&'()*+,;=~:@"


def url_with_pool(name: str, connection_id: int) -> Callable[[str], str]:
    """``reverse(name, args=[connection_id, pool])`` for many pools: the route is resolved once, and each
    pool id (quoted like reverse() quotes it) goes where the placeholder was. A list links hundreds of pools."""
    head, tail = reverse(name, args=[connection_id, _POOL_MARKER]).split(_POOL_MARKER)
    return lambda pool_name: f"{head}{_quoted(pool_name)}{tail}"


@lru_cache(maxsize=4096)  # the same pool ids, on every read of every list
def _quoted(pool_name: str) -> str:
    return quote(pool_name, safe=_SUBDELIMS)
