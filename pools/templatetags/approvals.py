"""Template helpers of the approval pages: the nav links with the pending badge, JSON and status display, the
history's steps in words."""

from __future__ import annotations

import json

from django import template

from pools.core.audit_messages import action_words
from pools.models import ChangeRequest
from pools.permissions import APPROVE_CHANGE, REQUEST_CHANGE
from pools.selectors.change_requests import pending_approval_count

register = template.Library()

STATUS_CLASSES = {
    ChangeRequest.Status.PENDING: "",
    ChangeRequest.Status.APPROVED: "",
    ChangeRequest.Status.EXECUTING: "warn",
    ChangeRequest.Status.IN_PROGRESS: "warn",
    ChangeRequest.Status.SUCCEEDED: "ok",
    ChangeRequest.Status.FAILED: "err",
    ChangeRequest.Status.UNKNOWN: "warn",
    ChangeRequest.Status.REJECTED: "err",
    ChangeRequest.Status.CANCELLED: "muted",
    ChangeRequest.Status.EXPIRED: "muted",
}


@register.inclusion_tag("pools/includes/approvals_nav.html", takes_context=True)
def approvals_nav(context):
    """ "Approvals" with the count awaiting this user (approvers), "My requests" (operators)."""
    user = context["request"].user
    return {
        "show_queue": user.has_perm(APPROVE_CHANGE),
        "show_mine": user.has_perm(REQUEST_CHANGE),
        "pending": pending_approval_count(user=user),
        "oob": False,
    }


@register.inclusion_tag("pools/includes/approvals_nav.html", takes_context=True)
def approvals_badge_oob(context):
    """The badge alone, swapped out-of-band after an htmx decision changed the count."""
    user = context["request"].user
    return {"pending": pending_approval_count(user=user), "oob": True, "show_queue": False}


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "")


@register.filter
def change_request_event(code: str) -> str:
    """A change request's history line ("approve", its audit action without ``change_request.``) as words."""
    return action_words(f"change_request.{code}")
