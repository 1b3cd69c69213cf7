"""The approval pages: the queue, the history, "my requests", a request's detail, and the decisions.

Who sees what (checked here on every view, and again by the services):
- Viewer (and anyone without the permissions below): 403 on every page of this area.
- Operator (REQUEST_CHANGE): "My requests", the detail of their own requests, cancel while pending, comment.
- Approver (APPROVE_CHANGE): the queue, the history, every detail; approve, reject, retry a failed request
  (or one whose outcome is unknown), execute an approved one whose run no worker has taken for a while;
  comment. Approving, retrying and executing need the approver's password again, and nothing runs past the
  request's expiry. Never on their own requests. They queue the run: a background worker makes the call,
  and the card refreshes itself while the run is queued or under way.
- Auditor (VIEW_AUDIT): the history and every detail, read-only.
- Administrator: all of the above.

Decisions post with htmx and swap the request's card in place; without JavaScript the same forms post and
redirect to the detail page. A refusal by the service (ApplicationError) goes where the person acted: on the
form field it names, else as the card's error banner; a PermissionDenied is a 403.

Pages only read: a request still pending past its expiry shows as expired (the scheduled job records that).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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
# A worker normally takes a queued run within seconds; one still queued this long waits for a worker.
QUEUED_LONG = timedelta(minutes=1)

APPROVED = _("You approved change request #{pk}.")
REJECTED = _("You rejected change request #{pk}.")
RETRIED = _("You retried change request #{pk}.")
EXECUTED = _("You asked to run change request #{pk} now.")
CANCELLED = _("You cancelled change request #{pk}.")
CHECKED = _("You checked the progress of change request #{pk}.")

Status = ChangeRequest.Status
# A decision service: called with the deciding user and the request; raises ApplicationError to refuse.
Decision = Callable[..., object]


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
    can_check_progress: bool
    # Approved, and no worker has taken its run for QUEUED_LONG: the card says so and offers "Execute now".
    queued_long: bool

    @property
    def run_state(self) -> str:
        """What the card shows of the run: a card refreshing itself sends it back, and is answered with
        nothing to swap while it is still true."""
        return f"{self.cr.current_status}-{self.cr.attempts}{'-long' if self.queued_long else ''}"


def card_for(user, change_request: ChangeRequest) -> Card:
    own = change_request.requested_by_id == user.pk
    approver = user.has_perm(APPROVE_CHANGE) and not own
    already = any(a.approver_id == user.pk for a in change_request.approvals.all())
    status = change_request.current_status  # an overdue pending request is expired: nothing to decide
    # Running (again) is a decision too: never past the request's expiry.
    runnable = approver and not change_request.run_expired
    # Queued since its approval, or since a retry put it back to approved.
    queued_long = status == Status.APPROVED and change_request.updated_at <= timezone.now() - QUEUED_LONG
    return Card(
        cr=change_request,
        own=own,
        already_approved=already,
        can_decide=approver and status == Status.PENDING and not already,
        can_retry=runnable and status in (Status.FAILED, Status.UNKNOWN),
        can_execute=runnable and queued_long,
        can_cancel=own and user.has_perm(REQUEST_CHANGE) and status == Status.PENDING,
        can_comment=own or user.has_perm(APPROVE_CHANGE),
        can_check_progress=status == Status.IN_PROGRESS and (own or user.has_perm(APPROVE_CHANGE)),
        queued_long=queued_long,
    )


def _card_context(request: HtmxHttpRequest, change_request: ChangeRequest, **forms_and_error) -> dict:
    """The card of ``change_request`` with its decision forms (fresh ones unless given)."""
    return {
        "card": card_for(request.user, change_request),
        "approve_form": ApproveForm(user=request.user, request=request),
        "reject_form": RejectForm(),
        "run_form": RunForm(user=request.user, request=request),
        **forms_and_error,
    }


def _detail_context(change_request: ChangeRequest) -> dict:
    return {
        "comments": change_request.comments.select_related("author"),
        "comment_form": CommentForm(),
        "timeline": change_request_timeline(change_request),
    }


def _card_response(
    request: HtmxHttpRequest, change_request: ChangeRequest, *, status: int = 200, **forms_and_error
) -> HttpResponse:
    """The card alone (htmx) or the whole detail page (a plain form post that needs to show errors)."""
    change_request = change_request_get(pk=change_request.pk, user=request.user)
    context = _card_context(request, change_request, **forms_and_error)
    if not request.htmx:
        return render(request, DETAIL_PAGE, {**context, **_detail_context(change_request)}, status=status)
    # htmx: the nav badge and the messages go along out of band ...
    context["show_badge_oob"] = True
    if request.htmx.current_url_abs_path == reverse("pools:change_request_detail", args=[change_request.pk]):
        # ... and on the request's own page, its history, which a decision or an execution just extended.
        context.update(timeline_oob=True, timeline=change_request_timeline(change_request))
    # htmx swaps only 2xx answers: the card with its errors comes back as 200.
    return render(request, f"{QUEUE_PAGE}#request-card", context)


OUTCOMES = {
    Status.PENDING: _("It waits for more approvals."),
    Status.APPROVED: _(
        "Its run is queued: a background worker sends the change to ModelArts, and this card shows the outcome."
    ),
    Status.EXECUTING: _("A background worker is sending the change to ModelArts now."),
    Status.SUCCEEDED: _("ModelArts made the change: it succeeded."),
    Status.FAILED: _("It failed; the result below says why."),
    Status.UNKNOWN: _("Its outcome is unknown: the answer was lost, and ModelArts is being checked."),
}
WORSE_OUTCOMES = (Status.FAILED, Status.UNKNOWN)


def _confirmed(request: HtmxHttpRequest, change_request: ChangeRequest, message: str) -> HttpResponse:
    """Confirm a decision with a message, shown on the next page (a plain post) or at once (htmx)."""
    change_request.refresh_from_db()
    outcome = OUTCOMES.get(change_request.status, "")
    level = messages.WARNING if change_request.status in WORSE_OUTCOMES else messages.SUCCESS
    messages.add_message(request, level, f"{message} {outcome}".strip())
    if request.htmx:
        return _card_response(request, change_request)
    return redirect("pools:change_request_detail", pk=change_request.pk)


def _refused(
    request: HtmxHttpRequest, change_request: ChangeRequest, error: ApplicationError, form_name: str, form
) -> HttpResponse:
    """A service's refusal: on the field of ``form`` it names (400), else as the card's banner (409)."""
    if form is not None and error.field in form.fields:
        form.add_error(error.field, error.message)
        return _card_response(request, change_request, status=400, **{form_name: form})
    return _card_response(request, change_request, error=error, status=409)


def _decide(
    request: HtmxHttpRequest,
    change_request: ChangeRequest,
    decision: Decision,
    confirmation: str,
    *,
    form_name: str = "",
    form: forms.Form | None = None,
) -> HttpResponse:
    """Take ``decision`` on the request as the signed-in user; confirm it, or show the service's refusal."""
    try:
        decision(user=request.user, change_request=change_request)
    except ApplicationError as error:
        return _refused(request, change_request, error, form_name, form)
    return _confirmed(request, change_request, confirmation.format(pk=change_request.pk))


def _run_again(request: HtmxHttpRequest, pk: int, decision: Decision, confirmation: str) -> HttpResponse:
    """Send a change (again): the same re-authentication as approving, then the service ``decision``."""
    change_request = change_request_get(pk=pk, user=request.user)
    form = RunForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        return _card_response(request, change_request, run_form=form, status=400)
    return _decide(request, change_request, decision, confirmation)


# --- pages ---------------------------------------------------------------------------------------------------


@require_GET
@require(APPROVE_CHANGE)
def approval_queue(request: HtmxHttpRequest):
    pending = change_request_list(user=request.user, status=Status.PENDING).order_by("created_at", "pk")
    cards = [card_for(request.user, cr) for cr in pending]
    context = {
        "cards": cards,
        "awaiting": sum(1 for card in cards if card.can_decide),
        "approve_form": ApproveForm(user=request.user, request=request),
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
    if request.htmx:  # a queued or running request's card, refreshing itself until the run is over
        if request.GET.get("shown") == card_for(request.user, change_request).run_state:
            return HttpResponse(status=204)  # nothing changed: htmx swaps nothing
        return _card_response(request, change_request)
    context = {**_card_context(request, change_request), **_detail_context(change_request)}
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
        return _card_response(request, change_request, approve_form=form, status=400)
    approve = partial(services.change_request_approve, comment=form.cleaned_data["comment"])
    return _decide(request, change_request, approve, APPROVED, form_name="approve_form", form=form)


@require_POST
@require(APPROVE_CHANGE)
def change_request_reject_view(request: HtmxHttpRequest, pk: int):
    change_request = change_request_get(pk=pk, user=request.user)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _card_response(request, change_request, reject_form=form, status=400)
    reject = partial(services.change_request_reject, comment=form.cleaned_data["comment"])
    return _decide(request, change_request, reject, REJECTED, form_name="reject_form", form=form)


@sensitive_post_parameters("password")
@require_POST
@require(APPROVE_CHANGE)
def change_request_retry_view(request: HtmxHttpRequest, pk: int):
    return _run_again(request, pk, services.change_request_retry, RETRIED)


@sensitive_post_parameters("password")
@require_POST
@require(APPROVE_CHANGE)
def change_request_execute_view(request: HtmxHttpRequest, pk: int):
    return _run_again(request, pk, services.change_request_execute, EXECUTED)


@require_POST
@require(REQUEST_CHANGE)
def change_request_cancel_view(request: HtmxHttpRequest, pk: int):
    change_request = change_request_get(pk=pk, user=request.user)
    return _decide(request, change_request, services.change_request_cancel, CANCELLED)


@require_POST
def change_request_check_progress_view(request: HtmxHttpRequest, pk: int):
    _require_any(request.user, APPROVE_CHANGE, REQUEST_CHANGE)
    change_request = change_request_get(pk=pk, user=request.user)
    return _decide(request, change_request, services.change_request_check_progress, CHECKED)


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
            # Comments have no card banner: the refusal is the comment form's own error.
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if not request.htmx:
                return redirect("pools:change_request_detail", pk=change_request.pk)
            form = CommentForm()
    context = {
        **_card_context(request, change_request),
        **_detail_context(change_request),
        "comment_form": form,
    }
    status = 200 if request.htmx else 400
    return render(request, template_for(request, DETAIL_PAGE, "comments"), context, status=status)
