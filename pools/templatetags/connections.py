"""``{% connection_switcher %}``: the navigation's connection picker, on every page."""

from django import template

from pools.permissions import MANAGE_CONNECTIONS
from pools.selectors.connections import switcher_connection, visible_connections

register = template.Library()


@register.inclusion_tag("pools/includes/connection_switcher.html", takes_context=True)
def connection_switcher(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    connections = visible_connections(request)
    return {
        "show": True,
        "connections": connections,
        "current": switcher_connection(request),
        "can_manage": user.has_perm(MANAGE_CONNECTIONS),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
