"""``{% nav_section as section %}``: the main navigation's section of the page being shown.

Each URL's section is declared next to it, in ``pools.urls.NAV_SECTIONS``; a page outside the app (log-in,
the admin, an error page without a match) has none.
"""

from django import template

from pools.urls import NAV_SECTIONS, app_name

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_section(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None or match.namespace != app_name:
        return ""
    return NAV_SECTIONS.get(match.url_name, "")
