"""The approval pages: the queue, the history, "my requests", a request's detail, and the decisions.

Who sees what (checked here on every view, and again by the services):
- Viewer (and anyone without the permissions below): 403 on every page of this area.
- Operator (REQUEST_CHANGE): "My requests", the detail of their own requests, cancel while pending, comment.
- Approver (APPROVE_CHANGE): the queue, the history, every detail; approve, reject, retry a failed request
  (or one whose outcome is unknown), execute an approved one a crash left behind; comment. Approving, retrying
  and executing need the approver's password again, and nothing runs past the request's expiry. Never on
  their own requests.
- Auditor (VIEW_AUDIT): the history and every detail, read-only.
- Administrator: all of the above.

Decisions post with htmx and swap the request's card in place; without JavaScript the same forms post and
redirect to the detail page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from pools.core.errors import ApplicationError
from pools.forms.approvals import (
    ApproveForm,
    CommentForm,
    HistoryFilterForm,
    MyRequestsFilterForm,
    RejectForm,
    RunForm,
)
from pools.htmx import HtmxHttpRequest, template_for
from pools.models import ChangeRequest
from pools.models.change_request import DECIDED_STATUSES
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE, VIEW_AUDIT, require
from pools.selectors.change_requests import (
    change_request_get,
    change_request_list,
    change_request_timeline,
)
from pools.selectors.live_state import revalidate
from pools.services import change_requests as services

QUEUE_PAGE = "pools/approvals.html"
HISTORY_PAGE = "pools/approvals_history.html"
MINE_PAGE = "pools/approvals_mine.html"
DETAIL_PAGE = "pools/approvals_detail.html"
PAGE_SIZE = 50


def _require_any(user, *perms: str) -> None:
    if not any(user.has_perm(perm) for perm in perms):
        raise PermissionDenied


@dataclass
class Card:
    """A change request as one person sees it: which decisions they may take on it."""

    cr: ChangeRequest
    own: bool
    already_approved: bool
    can_decide: bool
    can_retry: bool
    can_execute: bool
    can_cancel: bool
    can_comment: bool


def card_for(user, change_request: ChangeRequest) -> Card:
    own = change_request.requested_by_id == user.pk
    approver = user.has_perm(APPROVE_CHANGE) and not own
    already = any(a.approver_id == user.pk for a in change_request.approvals.all())
    Status = ChangeRequest.Status
    status = change_request.current_status  # an overdue pending request is expired: nothing to decide
    # Running (again) is a decision too: never past the request's expiry.
    runnable = approver and not change_request.run_expired
    return Card(
        cr=change_request,
        own=own,
        already_approved=already,
        can_decide=approver and status == Status.PENDING and not already,
        can_retry=runnable and status in (Status.FAILED, Status.UNKNOWN),
        can_execute=runnable and status == Status.APPROVED,
        can_cancel=own and user.has_perm(REQUEST_CHANGE) and status == Status.PENDING,
        can_comment=own or user.has_perm(APPROVE_CHANGE),
    )


def _render_card(
    request: HtmxHttpRequest,
    change_request: ChangeRequest,
    *,
    approve_form=None,
    reject_form=None,
    run_form=None,
    error: ApplicationError | None = None,
    status: int = 200,
):
    """The card alone (htmx) or the whole detail page (a plain form post that needs to show errors)."""
    change_request = change_request_get(pk=change_request.pk, user=request.user)
    context = {
        "card": card_for(request.user, change_request),
        "approve_form": approve_form or ApproveForm(user=request.user),
        "reject_form": reject_form or RejectForm(),
        "run_form": run_form or RunForm(user=request.user),
        "error": error,
        # htmx: the nav badge and the messages go along out of band ...
        "show_badge_oob": bool(request.htmx),
    }
    if request.htmx:
        if request.htmx.current_url_abs_path == reverse(
            "pools:change-request-detail", args=[change_request.pk]
        ):
            # ... and on the request's own page, its history, which a decision or an execution just extended.
            context.update(timeline_oob=True, timeline=change_request_timeline(change_request))
        # htmx swaps only 2xx answers: the card with its errors comes back as 200.
        return render(request, f"{QUEUE_PAGE}#request-card", context)
    context.update(_detail_context(request, change_request))
    return render(request, DETAIL_PAGE, context, status=status)


def _detail_context(request: HtmxHttpRequest, change_request: ChangeRequest) -> dict:
    return {
        "comments": change_request.comments.select_related("author"),
        "comment_form": CommentForm(),
        "timeline": change_request_timeline(change_request),
    }


OUTCOMES = {
    ChangeRequest.Status.PENDING: "It waits for more approvals.",
    ChangeRequest.Status.SUCCEEDED: "ModelArts made the change: it succeeded.",
    ChangeRequest.Status.FAILED: "It failed; the result below says why.",
    ChangeRequest.Status.UNKNOWN: "Its outcome is unknown: the answer was lost, and ModelArts is being checked.",
}
WORSE_OUTCOMES = (ChangeRequest.Status.FAILED, ChangeRequest.Status.UNKNOWN)


def _done(request: HtmxHttpRequest, change_request: ChangeRequest, message: str):
    """Confirm a decision with a message, shown on the next page (a plain post) or at once (htmx)."""
    change_request.refresh_from_db()
    outcome = OUTCOMES.get(change_request.status, "")
    level = messages.WARNING if change_request.status in WORSE_OUTCOMES else messages.SUCCESS
    messages.add_message(request, level, f"{message} {outcome}".strip())
    if request.htmx:
        return _render_card(request, change_request)
    return redirect("pools:change-request-detail", pk=change_request.pk)


# --- pages ---------------------------------------------------------------------------------------------------


@require_GET
@require(APPROVE_CHANGE)
def approval_queue(request: HtmxHttpRequest):
    pending = change_request_list(user=request.user, status=ChangeRequest.Status.PENDING).order_by(
        "created_at", "pk"
    )
    cards = [card_for(request.user, cr) for cr in pending]
    context = {
        "cards": cards,
        "awaiting": sum(1 for card in cards if card.can_decide),
        "approve_form": ApproveForm(user=request.user),
        "reject_form": RejectForm(),
    }
    return render(request, template_for(request, QUEUE_PAGE, "queue"), context)


@require_GET
def approval_history(request: HtmxHttpRequest):
    _require_any(request.user, APPROVE_CHANGE, VIEW_AUDIT)
    form = HistoryFilterForm(request.GET or None)
    status = kind = None
    if form.is_valid():
        status, kind = form.cleaned_data["status"] or None, form.cleaned_data["kind"] or None
    requests = change_request_list(user=request.user, status=status or DECIDED_STATUSES, kind=kind)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    return render(request, template_for(request, HISTORY_PAGE, "history-table"), context)


@require_GET
@require(REQUEST_CHANGE)
def my_requests(request: HtmxHttpRequest):
    form = MyRequestsFilterForm(request.GET or None)
    status = form.cleaned_data["status"] or None if form.is_valid() else None
    requests = change_request_list(user=request.user, mine=True, status=status)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template_for(request, MINE_PAGE, "mine-table"), {"form": form, "page": page})


@require_GET
def change_request_detail(request: HtmxHttpRequest, pk: int):
    _require_any(request.user, APPROVE_CHANGE, VIEW_AUDIT, REQUEST_CHANGE)
    change_request = change_request_get(pk=pk, user=request.user)
    context = {
        "card": card_for(request.user, change_request),
        "approve_form": ApproveForm(user=request.user),
        "reject_form": RejectForm(),
        "run_form": RunForm(user=request.user),
        **_detail_context(request, change_request),
    }
    return render(request, DETAIL_PAGE, context)


@require_GET
def change_request_revalidation(request: HtmxHttpRequest, pk: int):
    """The live re-check of one request, loaded lazily into its card (it calls ModelArts)."""
    _require_any(request.user, APPROVE_CHANGE, VIEW_AUDIT, REQUEST_CHANGE)
    change_request = change_request_get(pk=pk, user=request.user)
    context = {"card": card_for(request.user, change_request), "check": revalidate(change_request)}
    return render(request, f"{QUEUE_PAGE}#revalidation", context)


# --- decisions -----------------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@require_POST
@require(APPROVE_CHANGE)
def change_request_approve_view(request: HtmxHttpRequest, pk: int):
    change_request = change_request_get(pk=pk, user=request.user)
    form = ApproveForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        return _render_card(request, change_request, approve_form=form, status=400)
    try:
        services.change_request_approve(
            user=request.user, change_request=change_request, comment=form.cleaned_data["comment"]
        )
    except ApplicationError as error:
        return _render_card(request, change_request, error=error, status=409)
    return _done(request, change_request, f"You approved change request #{change_request.pk}.")


@require_POST
@require(APPROVE_CHANGE)
def change_request_reject_view(request: HtmxHttpRequest, pk: int):
    change_request = change_request_get(pk=pk, user=request.user)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_card(request, change_request, reject_form=form, status=400)
    try:
        services.change_request_reject(
            user=request.user, change_request=change_request, comment=form.cleaned_data["comment"]
        )
    except ApplicationError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _render_card(request, change_request, reject_form=form, status=400)
        return _render_card(request, change_request, error=error, status=409)
    return _done(request, change_request, f"You rejected change request #{change_request.pk}.")


def _act(request: HtmxHttpRequest, pk: int, action, done: str):
    """Run a form-less service ``action`` on a request; a refusal re-renders its card with the reason."""
    change_request = change_request_get(pk=pk, user=request.user)
    try:
        action(user=request.user, change_request=change_request)
    except ApplicationError as error:
        return _render_card(request, change_request, error=error, status=409)
    return _done(request, change_request, done.format(pk=change_request.pk))


def _run(request: HtmxHttpRequest, pk: int, action, done: str):
    """Send a change (again): the same re-authentication as approving, then the service ``action``."""
    form = RunForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        change_request = change_request_get(pk=pk, user=request.user)
        return _render_card(request, change_request, run_form=form, status=400)
    return _act(request, pk, action, done)


@sensitive_post_parameters("password")
@require_POST
@require(APPROVE_CHANGE)
def change_request_retry_view(request: HtmxHttpRequest, pk: int):
    return _run(request, pk, services.change_request_retry, "You retried change request #{pk}.")


@sensitive_post_parameters("password")
@require_POST
@require(APPROVE_CHANGE)
def change_request_execute_view(request: HtmxHttpRequest, pk: int):
    return _run(request, pk, services.change_request_execute, "You executed change request #{pk}.")


@require_POST
@require(REQUEST_CHANGE)
def change_request_cancel_view(request: HtmxHttpRequest, pk: int):
    return _act(request, pk, services.change_request_cancel, "You cancelled change request #{pk}.")


@require_POST
def change_request_comment_view(request: HtmxHttpRequest, pk: int):
    _require_any(request.user, APPROVE_CHANGE, REQUEST_CHANGE)
    change_request = change_request_get(pk=pk, user=request.user)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.change_request_comment(
                user=request.user, change_request=change_request, text=form.cleaned_data["text"]
            )
        except ApplicationError as error:
            form.add_error("text" if error.field == "text" else None, error.message)
        else:
            if not request.htmx:
                return redirect("pools:change-request-detail", pk=change_request.pk)
            form = CommentForm()
    context = {
        **_detail_context(request, change_request),
        "card": card_for(request.user, change_request),
        "approve_form": ApproveForm(user=request.user),
        "reject_form": RejectForm(),
        "comment_form": form,
    }
    status = 200 if request.htmx else 400
    return render(request, template_for(request, DETAIL_PAGE, "comments"), context, status=status)
