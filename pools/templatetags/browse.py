"""Formatting for the browse pages: phases as badges, quantities with units, times in UTC with local twins."""

from __future__ import annotations

import re
import unicodedata
import weakref
from datetime import UTC, datetime
from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from pools.modelarts.types import FAILED_PHASES, TRANSITIONAL_PHASES
from pools.quantities import format_amount, resource_label
from pools.views.browse import url_with_pool

register = template.Library()

HEALTHY_PHASES = frozenset({"Running", "Available", "Enabled"})
BUSY_PHASES = TRANSITIONAL_PHASES | {"Checking", "Enabling", "Disabling", "Upgrading"}
BILLING_MODES = {"0": "Pay-per-use", "1": "Yearly/monthly"}
PERIOD_UNITS = {"2": "month", "3": "year"}


# Characters that change how text reads without being seen: bidi embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069), direction marks (U+200E, U+200F), zero-width characters and every other
# format (Cf) or control (Cc) character, and the line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp"})
_NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e]")  # the only candidates; plain ASCII text has none


def _marker(match: re.Match) -> str:
    char = match.group()
    return f"⟨U+{ord(char):04X}⟩" if unicodedata.category(char) in HIDDEN_CATEGORIES else char


@register.filter(is_safe=True)
def reveal(text):
    """``text`` with every invisible character written as a visible marker such as ⟨U+202E⟩, so a name,
    description or label reads on screen as it really is (a bidi override can make "exe.txt" of "txt.exe").
    The markers hold no HTML; autoescaping applies as before. Anything but text passes unchanged."""
    return _NOT_PLAIN.sub(_marker, text) if isinstance(text, str) else text


def _shown(text: str) -> str:
    """Upstream text for the rows written here: invisible characters revealed, then escaped."""
    return escape(reveal(text))


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
@lru_cache(maxsize=256)  # a handful of phases, shown on every row of every list
def phase_badge(phase: str):
    return format_html('<span class="badge {}">{}</span>', phase_class(phase), reveal(phase or "unknown"))


register.filter("resource_label", resource_label)


@register.filter
def amount(value, key: str) -> str:
    return format_amount(key, value)


@register.filter
def billing_mode(code: str) -> str:
    return BILLING_MODES.get(code or "0", code)


@register.simple_tag
def billing_period(number: str, unit_code: str) -> str:
    unit = PERIOD_UNITS.get(unit_code)
    if not number or not unit:
        return ""
    return f"{number} {unit}{'' if number == '1' else 's'}"


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


@register.filter
def duration(seconds: float | None) -> str:
    """A short age: "4 s", "3 min", "2 h 5 min", "3 d 4 h"."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 3600:
        return f"{minutes} min"
    if seconds < 86400:
        return f"{hours} h {minutes % 60} min" if minutes % 60 else f"{hours} h"
    return f"{days} d {hours % 24} h" if hours % 24 else f"{days} d"


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
def pool_rows(rows) -> SafeString:
    """The ``<tr>`` of each ``pools.views.pools.PoolRow``: what the pool list's template would write per row.

    Written here rather than by the template engine: a list holds hundreds of pools and is polled, and
    rendering its rows cell by cell through template nodes was most of the page's own time (about 17 ms
    of 200 rows against under 2 ms here; docs/performance.md). Every value that comes from ModelArts or
    the database goes through ``escape``.
    """
    return mark_safe("".join([_written_row(row) for row in rows]))  # noqa: S308 - _pool_row escapes every value


# A list read again gives the same Pool objects for pools whose JSON did not change (pools.modelarts.types
# types each once per process), so their rows are written once: by pool object (held weakly, so an entry
# goes with its pool) and link. A row with open change requests is written each time.
_written_rows: dict[int, tuple[weakref.ref, str, str]] = {}


def _written_row(row) -> str:
    if row.open_requests:
        return _pool_row(row)
    pool = row.pool
    key = id(pool)
    entry = _written_rows.get(key)
    if entry is not None and entry[0]() is pool and entry[1] == row.detail_url:
        return entry[2]
    html = _pool_row(row)
    _written_rows[key] = (
        weakref.ref(pool, lambda _, key=key: _written_rows.pop(key, None)),
        row.detail_url,
        html,
    )
    return html


def _pool_row(row) -> str:
    pool = row.pool
    classes = ["highlight changing"] if row.changing else []
    if row.open_requests:
        classes.append("has-requests")
    description = f'<div class="small">{_shown(pool.description)}</div>' if pool.description else ""
    requests = "".join(
        f'<a class="badge warn open-request" href="{reverse("pools:change-request-detail", args=[cr.pk])}" '
        f'title="Open change request #{cr.pk}">{escape(cr.get_kind_display())} requested</a>'
        for cr in row.open_requests
    )
    message = f'<div class="small muted">{_shown(pool.status_message)}</div>' if pool.status_message else ""
    flavors = "".join(
        f'<div><span class="mono">{_shown(resource.flavor)}</span> × {resource.count}</div>'
        for resource in pool.resources
    )
    nodes = f"{pool.nodes_in('available')} available"
    for state, template_text in (
        ("creating", "{} creating"),
        ("abnormal", '<span class="err">{} abnormal</span>'),
        ("deleting", "{} deleting"),
    ):
        count = pool.nodes_in(state)
        if count:
            nodes += " · " + template_text.format(count)
    billing = escape(billing_mode(pool.billing_mode))
    if pool.is_yearly_monthly:
        renew = " · auto-renew" if pool.auto_renew else ""
        period = escape(billing_period(pool.period_num, pool.period_type))
        billing += f'<div class="small muted">{period}{renew}</div>'
    return (
        f'<tr class="{" ".join(classes)}" data-phase="{escape(pool.phase)}">'
        f'<td><a href="{escape(row.detail_url)}"><strong>{_shown(pool.display_name)}</strong></a>'
        f'<div class="mono muted small">{_shown(pool.name)}</div>{description}{requests}</td>'
        f"<td>{phase_badge(pool.phase)}{message}</td>"
        f'<td>{_shown(pool.type or "—")}<div class="small muted">{_shown(", ".join(pool.scope))}</div></td>'
        f'<td class="small">{flavors}</td>'
        f'<td class="nodes"><strong>{pool.node_count}</strong><div class="small muted">{nodes}</div></td>'
        f"<td>{billing}</td>"
        f'<td class="mono small">{_shown(pool.workspace_id)}</td>'
        f'<td class="small">{timestamp(pool.created_at)}</td>'
        "</tr>\n"
    )


@register.simple_tag
def usage_rows(rows, connection_id: int) -> SafeString:
    """The ``<tr>`` of each ``pools.selectors.usage.UsageRow`` of an overview card (a bar per resource).

    Written here for the reason ``pool_rows`` is: a card lists every pool of its connection, three bars
    each. Every value that comes from ModelArts goes through ``escape``.
    """
    detail_url = url_with_pool("pools:pool_detail", connection_id)
    return mark_safe("".join([_usage_row(row, detail_url(row.pool_name)) for row in rows]))  # noqa: S308


@lru_cache(maxsize=4096)  # a row is a value (pool, names, bars); unchanged usage gives the same row
def _usage_row(row, url: str) -> str:
    bars = "".join([_usage_bar(bar) for bar in row.bars])
    return (
        f'<tr><th scope="row"><a href="{escape(url)}">{_shown(row.display_name)}</a></th>'
        f"<td>{bars}</td></tr>\n"
    )


def _usage_bar(bar) -> str:
    label = escape(bar.label)
    text = f"{escape(bar.allocated_text)} / {escape(bar.capacity_text)}"
    meter = ""
    if bar.percent is not None:
        text += f" · <strong>{bar.percent} %</strong>"
        meter = (
            f'<meter min="0" max="100" low="70" high="90" optimum="40" value="{bar.percent}" '
            f'aria-label="{label} allocated">{bar.percent} %</meter>'
        )
    return (
        f'<div class="usage-bar"><span class="usage-label">{label}</span>'
        f'<span class="usage-text">{text}</span>{meter}</div>'
    )
