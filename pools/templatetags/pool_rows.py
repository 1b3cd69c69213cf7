"""``{% pool_list_rows rows %}``: the ``<tr>`` of each row of the pool list, written here in Python.

One of the two pieces of speed machinery the pages keep (docs/performance.md, "Redesign: pages without speed
machinery"; the other is ``pools.views.links.pool_urls``). Every other table is written by its template. The
pool list shows every pool of a project, hundreds, and polls while one changes: the template engine takes
~22 ms for 200 such rows on the benchmark's machine, this ~2 ms, and without it the cold pool list misses its
guard rail (page ≤ 1.30 × the API's latency: 1.45–1.48 without, 1.28–1.30 with). No memo: each row is written
again for each page.

It writes what the row template did (tests/views/test_row_templates.py checks the markup): every text from
ModelArts or the database goes through ``_shown`` (invisible characters revealed, then escaped).
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from pools.core.wording import list_separator
from pools.templatetags.display import BILLING_MODE_LABELS, billing_period, phase_class, reveal, timestamp

register = template.Library()


@register.simple_tag
def pool_list_rows(rows) -> SafeString:
    """The rows of ``rows`` (``pools.views.pools.PoolRow``), in order."""
    words = _Words()
    return mark_safe("".join([_row(row, words) for row in rows]))  # noqa: S308 - _row escapes every value


class _Words:
    """The rows' texts in the reader's language, looked up once per list rather than in every row (a lazy
    text is looked up again each time it is used: ~650 lookups, several ms, for 200 rows)."""

    def __init__(self) -> None:
        self.open_request_title = str(OPEN_REQUEST_TITLE)
        self.kind_requested = str(KIND_REQUESTED)
        self.allocated = str(ALLOCATED)
        self.list_separator = list_separator()
        self.auto_renew = escape(str(AUTO_RENEW))
        self.node_state_counts = {state: str(text) for state, text in NODE_STATE_COUNTS.items()}
        self.billing_modes = {code: escape(str(label)) for code, label in BILLING_MODE_LABELS.items()}


def _shown(text: str) -> str:
    return escape(reveal(text))


def _row(row, words: _Words) -> str:
    pool = row.pool
    return (
        f'<tr class="{row.css_class}" data-phase="{escape(pool.phase)}">'
        f'<td><a href="{escape(row.detail_url)}"><strong>{_shown(pool.display_name)}</strong></a>'
        f'<div class="mono muted small">{_shown(pool.name)}</div>{_description(pool)}{_requests(row, words)}</td>'
        f"<td>{_badge(pool.phase)}{_message(pool)}</td>"
        f'<td>{_shown(pool.type or "—")}<div class="small muted">{_shown(words.list_separator.join(pool.scope))}</div></td>'
        f'<td class="small">{_flavors(pool)}</td>'
        f'<td class="nodes"><strong>{pool.node_count}</strong><div class="small muted">{_nodes(row, words)}</div>'
        f"{_usage(row.usage, words)}</td>"
        f"<td>{_billing(pool, words)}</td>"
        f'<td class="mono small">{_shown(pool.workspace_id)}</td>'
        f'<td class="small">{timestamp(pool.created_at)}</td>'
        "</tr>\n"
    )


def _badge(phase: str) -> str:
    """What ``{% phase_badge %}`` writes."""
    return f'<span class="badge {phase_class(phase)}">{_shown(phase or "unknown")}</span>'


OPEN_REQUEST_TITLE = _("Open change request #%(pk)s")
KIND_REQUESTED = _("%(kind)s requested")
ALLOCATED = _("%(label)s allocated")
AUTO_RENEW = _("auto-renew")
# A pool's nodes counted by state (the states of Pool.nodes_in); another state shows as ModelArts names it.
NODE_STATE_COUNTS = {
    "available": _("%(count)s available"),
    "creating": _("%(count)s creating"),
    "deleting": _("%(count)s deleting"),
    "abnormal": _("%(count)s abnormal"),
}


def _description(pool) -> str:
    return f'<div class="small data">{_shown(pool.description)}</div>' if pool.description else ""


def _requests(row, words: _Words) -> str:
    return "".join(
        f'<a class="badge warn open-request" href="{reverse("pools:change_request_detail", args=[cr.pk])}" '
        f'title="{escape(words.open_request_title % {"pk": cr.pk})}">'
        f"{escape(words.kind_requested % {'kind': cr.get_kind_display()})}</a>"
        for cr in row.open_requests
    )


def _message(pool) -> str:
    return f'<div class="small muted data">{_shown(pool.status_message)}</div>' if pool.status_message else ""


def _flavors(pool) -> str:
    return "".join(
        f'<div><span class="mono">{_shown(resource.flavor)}</span> × {resource.count}</div>'
        for resource in pool.resources
    )


def _nodes(row, words: _Words) -> str:
    counts = words.node_state_counts
    text = escape(counts["available"] % {"count": row.pool.nodes_in("available")})
    for state, count in row.other_node_states:
        said = escape(counts[state] % {"count": count}) if state in counts else f"{count} {escape(state)}"
        text += f' · <span class="err">{said}</span>' if state == "abnormal" else f" · {said}"
    return text


def _usage(bar, words: _Words) -> str:
    """What ``overview.html#usage-bar`` writes for one bar: the pool's accelerators (or CPU) allocated."""
    if bar is None:
        return ""
    text = f"{escape(bar.label)} {escape(bar.allocated_text)} / {escape(bar.capacity_text)}"
    if bar.percent is None:
        return f'<div class="usage-inline small">{text}</div>'
    return (
        f'<div class="usage-inline small" data-percent="{bar.percent}">{text} · <strong>{bar.percent} %</strong>'
        f'<meter min="0" max="100" low="70" high="90" optimum="40" value="{bar.percent}" '
        f'aria-label="{escape(words.allocated % {"label": bar.label})}">{bar.percent} %</meter></div>'
    )


def _billing(pool, words: _Words) -> str:
    code = pool.billing_mode
    billing = words.billing_modes[code] if code in words.billing_modes else escape(code)
    if pool.is_yearly_monthly:
        renew = f" · {words.auto_renew}" if pool.auto_renew else ""
        billing += f'<div class="small muted">{escape(billing_period(pool.period_num, pool.period_type))}{renew}</div>'
    return billing
