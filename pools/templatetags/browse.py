"""Formatting for the browse pages: phases as badges, quantities with units, times in UTC with local twins."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.html import format_html

from pools.modelarts.types import FAILED_PHASES, TRANSITIONAL_PHASES
from pools.quantities import format_amount, resource_label

register = template.Library()

HEALTHY_PHASES = frozenset({"Running", "Available", "Enabled"})
BUSY_PHASES = TRANSITIONAL_PHASES | {"Checking", "Enabling", "Disabling", "Upgrading"}
BILLING_MODES = {"0": "Pay-per-use", "1": "Yearly/monthly"}
PERIOD_UNITS = {"2": "month", "3": "year"}


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
    return format_html('<span class="badge {}">{}</span>', phase_class(phase), phase or "unknown")


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
def timestamp(moment: datetime | None):
    """``<time>`` in UTC; static/js/browse.js shows it in the viewer's time zone with the offset (the UTC
    text stays as the tooltip, and is what shows without JavaScript)."""
    if moment is None:
        return ""
    text = utc(moment)
    return format_html('<time datetime="{}" title="{}" data-local>{}</time>', moment.isoformat(), text, text)


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
