"""What the browse views share: picking a visible connection and reading the refresh flag."""

from __future__ import annotations

from django.http import Http404, HttpRequest, QueryDict

from pools.models import Connection
from pools.selectors.connections import connection_list_for

REFRESH_PARAMETER = "refresh"


def visible_connection(request: HttpRequest, connection_id: int | None) -> Connection:
    """The connection ``connection_id`` if this user may browse with it; 404 otherwise."""
    connection = connection_list_for(request.user).filter(pk=connection_id).first() if connection_id else None
    if connection is None:
        raise Http404("No such connection.")
    return connection


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
