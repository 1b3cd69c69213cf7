"""Pages that file pool changes for approval: scale a pool, edit it, change its tags.

Nothing changes here: each page reads the pool as it is now, shows what the change would do (capacity before
→ after, billing, the exact request), asks why, and files a change request. Refusals go on the form.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pools.forms.pool_changes import EditPoolForm, PoolTagsForm, ScalePoolForm
from pools.htmx import HtmxHttpRequest
from pools.models import ChangeRequest
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.modelarts import pool_get
from pools.selectors.pool_changes import flavor_offers, pool_capacity, pool_tags, scale_preview
from pools.views.connection_context import visible_connection
from pools.views.pool_requests import file_change_request

SCALE_PAGE = "pools/scale_pool_request.html"
EDIT_PAGE = "pools/edit_pool_request.html"
TAGS_PAGE = "pools/pool_tags_request.html"


def _pool_page(request: HtmxHttpRequest, connection_id: int, pool_name: str, page: str):
    """The pool read now and the page's context; a response instead when it cannot be read."""
    connection = visible_connection(request, connection_id)
    read = pool_get(connection=connection, name=pool_name, refresh=request.method == "GET")
    context = {"connection": connection, "pool_name": pool_name, "read": read, "pool": read.value}
    if read.value is None:
        not_found = read.error is not None and getattr(read.error.upstream, "status", None) == 404
        return context, render(request, page, context, status=404 if not_found else 502)
    return context, None


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def scale_pool_request(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    context, failed = _pool_page(request, connection_id, pool_name, SCALE_PAGE)
    if failed:
        return failed
    pool, connection = context["pool"], context["connection"]
    offers = flavor_offers(connection=connection)
    form = ScalePoolForm(request.POST or None, pool=pool, offers=offers)
    previewing = "preview" in request.POST
    if previewing:
        form.fields["reason"].required = False  # a preview files nothing
    if request.method == "POST" and form.is_valid() and not previewing:
        kind, body = ChangeRequest.Kind.SCALE_POOL, form.body()
        filed = file_change_request(
            request, form, connection=connection, kind=kind, target=pool.name, body=body
        )
        if filed is not None:
            return filed
    preview = (
        scale_preview([(r.flavor, r.count) for r in pool.resources], form.body())
        if form.is_bound and form.is_valid()
        else None
    )
    context.update(form=form, offers=offers, capacity=pool_capacity(pool), preview=preview)
    return render(request, SCALE_PAGE, context)


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def edit_pool_request(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    context, failed = _pool_page(request, connection_id, pool_name, EDIT_PAGE)
    if failed:
        return failed
    pool, connection = context["pool"], context["connection"]
    form = EditPoolForm(request.POST or None, pool=pool)
    if request.method == "POST" and form.is_valid():
        kind, body = ChangeRequest.Kind.EDIT_POOL, form.body()
        filed = file_change_request(
            request, form, connection=connection, kind=kind, target=pool.name, body=body
        )
        if filed is not None:
            return filed
    context["form"] = form
    return render(request, EDIT_PAGE, context)


@require(REQUEST_CHANGE)
@require_http_methods(["GET", "POST"])
def pool_tags_request(request: HtmxHttpRequest, connection_id: int, pool_name: str):
    context, failed = _pool_page(request, connection_id, pool_name, TAGS_PAGE)
    if failed:
        return failed
    pool, connection = context["pool"], context["connection"]
    tags = pool_tags(connection=connection, pool_name=pool.name, refresh=request.method == "GET")
    context["tags_read"] = tags
    if tags.value is None:
        return render(request, TAGS_PAGE, context, status=502)
    form = PoolTagsForm(request.POST or None, current=tags.value.as_dict())
    if request.method == "POST" and form.is_valid():
        kind, body = ChangeRequest.Kind.POOL_TAGS, form.body()
        filed = file_change_request(
            request, form, connection=connection, kind=kind, target=pool.name, body=body
        )
        if filed is not None:
            return filed
    context["form"] = form
    return render(request, TAGS_PAGE, context)
