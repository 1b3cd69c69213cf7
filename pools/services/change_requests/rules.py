"""Who may do what with a change request, and what a request may ask for (each kind's own rules are in
``pools/change_kinds/``: a CreatePool body, for one, is checked by ``create_pool_body_problem``, the one check
the wizard's review runs too)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from pools.change_kinds import KINDS, change_kind
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest, Connection
from pools.selectors.change_requests import open_duplicate
from pools.services.change_requests import messages

Kind = ChangeRequest.Kind
Status = ChangeRequest.Status

COMMENT_MAX = 5000
# What a retry may start from: a failed attempt, or one whose outcome is unknown.
RETRYABLE = (Status.FAILED, Status.UNKNOWN)


class OpenRequestExists(ApplicationError):
    """Refusal of a request for a change that an open request (``existing``) already asks for."""

    def __init__(self, existing: ChangeRequest):
        super().__init__(
            messages.ALREADY_REQUESTED.format(pk=existing.pk, status=existing.get_status_display().lower())
        )
        self.existing = existing


@dataclass(frozen=True)
class Submission:
    """One submission of a form (or API call) that files a request, as it would be stored; ``key`` is the
    idempotency key it was sent with."""

    user: Any
    key: str
    kind: str
    target: str
    body: Any
    reason: str

    def same_values_as(self, change_request: ChangeRequest) -> bool:
        stored = (change_request.kind, change_request.target, change_request.body, change_request.reason)
        # The body as the database gives it back (JSON: lists, not tuples).
        body = json.loads(json.dumps(self.body, cls=DjangoJSONEncoder))
        return stored == (self.kind, self.target, body, self.reason)


class SubmissionReused(ApplicationError):
    """Refusal of a submission whose idempotency key already filed ``existing`` with other values."""

    def __init__(self, existing: ChangeRequest):
        super().__init__(messages.SUBMISSION_REUSED.format(pk=existing.pk))
        self.existing = existing


def moment_text(moment: datetime) -> str:
    """A moment as the refusals and results write it, in the server's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def require_permission(user, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def refuse_own_request(user, change_request: ChangeRequest) -> None:
    """Four eyes: nobody approves, rejects or runs their own request."""
    if change_request.requested_by_id == user.pk:
        raise PermissionDenied(messages.OWN_REQUEST)


def refuse_if_run_expired(change_request: ChangeRequest) -> None:
    """Past its expiry a request is never run (or run again)."""
    if change_request.run_expired:
        raise ApplicationError(
            messages.RUN_EXPIRED.format(pk=change_request.pk, when=moment_text(change_request.expires_at))
        )


def refuse_duplicate(connection: Connection, kind: str, target: str, body: Any) -> None:
    existing = open_duplicate(connection=connection, kind=kind, target=target, body=body)
    if existing is not None:
        raise OpenRequestExists(existing)


def validated_request(kind: str, target: str, body: Any) -> tuple[str, str, Any]:
    """``(kind, target, body)`` as they are stored; ApplicationError naming the field that is wrong."""
    if kind not in KINDS:
        raise ApplicationError(messages.UNKNOWN_KIND, field="kind")
    target = (target or "").strip()
    if not target:
        raise ApplicationError(messages.TARGET_REQUIRED, field="target")
    target, body = change_kind(kind).validate(target, body)
    return kind, target, body
