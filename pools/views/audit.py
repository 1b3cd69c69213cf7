"""The audit page: the sealed LogEntry history, filtered, paged and exported."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from pools.audit import verify_chain
from pools.forms.audit import AuditFilterForm
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import VIEW_AUDIT, require
from pools.selectors.audit import audit_usernames, entry_record, log_entry_list, recent_actions
from pools.spreadsheet import spreadsheet_cell

PAGE_SIZE = 50
VERIFY_PARAMETER = "verify"
EXPORT_CHUNK = 2000
CSV_COLUMNS = (
    "id",
    "time",
    "user",
    "action",
    "flag",
    "object_type",
    "object_id",
    "object",
    "details",
    "request_id",
)


def _filter_form(request: HtmxHttpRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None, usernames=audit_usernames())


def _filtered_entries(form: AuditFilterForm):
    if not form.is_bound:
        return log_entry_list()
    if form.is_valid():
        return log_entry_list(filters=form.filters())
    return None


def _shown(entry) -> dict:
    record = entry_record(entry)
    record["pretty"] = json.dumps(record["details"], indent=2, sort_keys=True, ensure_ascii=False)
    return record


@require_safe
@require(VIEW_AUDIT)
def audit_log(request: HtmxHttpRequest):
    form = _filter_form(request)
    entries = _filtered_entries(form)
    page = None
    if entries is not None:
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        page.records = [_shown(entry) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop(VERIFY_PARAMETER, None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # Verifying reads every entry: the page loads it separately, unless asked to (no JavaScript).
        "chain": verify_chain() if request.GET.get(VERIFY_PARAMETER) == "1" else None,
        "actions": recent_actions(),
    }
    return render(
        request,
        template_for(request, "pools/audit_log.html", "audit-results"),
        context,
        status=200 if entries is not None else 400,
    )


@require_safe
@require(VIEW_AUDIT)
def audit_chain(request: HtmxHttpRequest):
    """The chain status alone (htmx), or the audit page with it (no JavaScript)."""
    if not request.htmx:
        query = request.GET.copy()
        query[VERIFY_PARAMETER] = "1"
        return redirect(f"{reverse('pools:audit_log')}?{query.urlencode()}")
    return render(request, "pools/audit_log.html#chain-status", {"chain": verify_chain()})


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> object:
    """The details (a dict) as JSON; every cell made inert for spreadsheets."""
    if isinstance(value, dict):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return spreadsheet_cell(value)


def _csv_rows(entries) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        record = entry_record(entry)
        yield writer.writerow([_csv_cell(record[column]) for column in CSV_COLUMNS])


def _json_rows(entries) -> Iterator[str]:
    yield "["
    separator = "\n"
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        yield separator + json.dumps(entry_record(entry), sort_keys=True, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", _csv_rows),
    "json": ("application/json", _json_rows),
}


@require_safe
@require(VIEW_AUDIT)
def audit_export(request: HtmxHttpRequest, fmt: str):
    if fmt not in EXPORTS:
        raise Http404("No such export format.")
    form = _filter_form(request)
    entries = _filtered_entries(form)
    if entries is None:
        return audit_log(request)
    content_type, rows = EXPORTS[fmt]
    response = StreamingHttpResponse(rows(entries), content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response
