"""Display helpers for the pages: upstream text made visible, phases as badges, quantities with units, times in
UTC with local twins."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from pools.change_kinds.pool_body import (
    BILLING_PAY_PER_USE,
    BILLING_YEARLY_MONTHLY,
    PERIOD_MONTH,
    PERIOD_YEAR,
)
from pools.core.wording import listed, listed_phrases
from pools.modelarts.vocabulary import FAILED_PHASES, TRANSITIONAL_PHASES
from pools.quantities import format_amount, resource_label
from pools.validators import is_invisible
from pools.views import links

register = template.Library()

HEALTHY_PHASES = frozenset({"Running", "Available", "Enabled", "Success", "Completed"})
# Nodes being rebooted or reset, workloads waiting, node jobs under way: busy, not failed.
NODE_ACTION_PHASES = frozenset({"Rebooting", "Resetting", "Pending", "Queue", "Terminating"})
BUSY_PHASES = TRANSITIONAL_PHASES | {"Checking", "Enabling", "Disabling", "Upgrading"} | NODE_ACTION_PHASES


_NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e]")  # the only candidates; plain ASCII text has none


def _marker(match: re.Match) -> str:
    char = match.group()
    return f"⟨U+{ord(char):04X}⟩" if is_invisible(char) else char


@register.filter(is_safe=True)
def reveal(text):
    """``text`` with every invisible character written as a visible marker such as ⟨U+202E⟩, so a name,
    description or label reads on screen as it really is (a bidi override can make "exe.txt" of "txt.exe").
    The markers hold no HTML; autoescaping applies as before. Anything but text passes unchanged."""
    return _NOT_PLAIN.sub(_marker, text) if isinstance(text, str) else text


@register.filter
def phase_class(phase: str) -> str:
    """The badge colour of a pool, node, scope or driver state."""
    if phase in HEALTHY_PHASES:
        return "ok"
    if phase in FAILED_PHASES or phase in {"EnableFailed", "Disabled"}:
        return "err"
    if phase in BUSY_PHASES:
        return "warn"
    return ""


@register.simple_tag
def phase_badge(phase: str):
    return format_html('<span class="badge {}">{}</span>', phase_class(phase), reveal(phase or "unknown"))


register.filter("resource_label", resource_label)
# A list as the reader's language writes one ("a, b" / "a、b"; phrases "A; B" / "A、B").
register.filter("listed", listed)
register.filter("listed_phrases", listed_phrases)


@register.filter
def amount(value, key: str) -> str:
    return format_amount(key, value)


# pool_body.py's billing modes and period units (codes), named in the reader's language.
BILLING_MODE_LABELS = {BILLING_PAY_PER_USE: _("Pay-per-use"), BILLING_YEARLY_MONTHLY: _("Yearly/monthly")}
PERIOD_LABELS = {
    PERIOD_MONTH: lambda n: ngettext("%(count)s month", "%(count)s months", n) % {"count": n},
    PERIOD_YEAR: lambda n: ngettext("%(count)s year", "%(count)s years", n) % {"count": n},
}


@register.filter
def billing_mode(code: str) -> str:
    return BILLING_MODE_LABELS.get(code or BILLING_PAY_PER_USE, code)


@register.simple_tag
def billing_period(number: str, unit_code: str) -> str:
    label = PERIOD_LABELS.get(unit_code)
    if not number or not label or not number.isdigit():
        return ""
    return label(int(number))


@register.filter
def utc(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@register.simple_tag
def timestamp(moment: datetime | str | None):
    """The one way every page shows a moment: ``<time>`` in UTC; static/js/browse.js shows it in the viewer's
    time zone with the offset (the UTC text stays as the tooltip, and is what shows without JavaScript).
    ``moment`` is a datetime or an ISO 8601 text (as the audit records carry it)."""
    if isinstance(moment, str):
        moment = parse_datetime(moment)
    if moment is None:
        return ""
    text = utc(moment)
    # Digits and punctuation only (isoformat, strftime): nothing to escape; lists show hundreds of these.
    return mark_safe(f'<time datetime="{moment.isoformat()}" title="{text}" data-local>{text}</time>')  # noqa: S308


# ShowPoolStatistics' operationTime is Go's time format, not ISO 8601 (API reference §5.4):
# "2025-01-01 09:00:00.123456789 +0000 UTC".
_GO_TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d+)? ([+-]\d{4})(?: [A-Za-z]+)?")


@register.simple_tag
def operation_time(text: str):
    """ModelArts' statistics time as ``timestamp`` shows every moment; as sent when it is in another form."""
    match = _GO_TIME.fullmatch(text or "")
    if match is None:
        return reveal(text)
    return timestamp(datetime.strptime(" ".join(match.groups()), "%Y-%m-%d %H:%M:%S %z").astimezone(UTC))


@register.filter
def duration(seconds: float | None) -> str:
    """A short age: "4 s", "3 min", "2 h 5 min", "3 d 4 h"."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return gettext("%(s)s s") % {"s": seconds}
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 3600:
        return gettext("%(m)s min") % {"m": minutes}
    if seconds < 86400:
        if minutes % 60:
            return gettext("%(h)s h %(m)s min") % {"h": hours, "m": minutes % 60}
        return gettext("%(h)s h") % {"h": hours}
    if hours % 24:
        return gettext("%(d)s d %(h)s h") % {"d": days, "h": hours % 24}
    return gettext("%(d)s d") % {"d": days}


@register.filter
def nodes_in(pool, state: str) -> int:
    """How many of a pool's nodes are in ``state`` (creating, available, abnormal, deleting)."""
    return pool.nodes_in(state)


@register.filter
def node_resources(node) -> list[tuple[str, str, str]]:
    """(label, available, total) for each resource a node reports, cpu and memory first."""
    keys = sorted(node.resources, key=lambda key: (key not in ("cpu", "memory"), key != "cpu", key))
    return [
        (
            resource_label(key),
            format_amount(key, node.available_resources.get(key)),
            format_amount(key, total),
        )
        for key, total in ((key, node.resources[key]) for key in keys)
    ]


@register.filter
def get_key(mapping, key: str):
    """``mapping[key]`` for keys a template cannot spell (dots, slashes); empty when absent."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.simple_tag
def pool_url(name: str, connection_id: int, pool_name: str) -> str:
    """The address ``name`` of one pool (``pools.views.links.pool_url``: any pool id ModelArts sends)."""
    return links.pool_url(name, connection_id, pool_name)
