"""Change requests: a costly or destructive pool change, requested by one person and approved by another.

State machine (every arrow is a compare-and-set UPDATE in pools/services/change_requests/):

    pending ──approve (enough approvals)──> approved ──claim──> executing ──> succeeded | failed | unknown
                                              ▲                     └──> in_progress ──> succeeded | failed
       │                                      │
       ├──reject──> rejected   failed ──retry─┤
       ├──cancel──> cancelled  unknown ──retry (only after looking: see below)
       └──time────> expired   (recorded by the scheduled job, or by a decision that finds it overdue;
                              until then pages read it as expired: ``current_status``)

"approved" is also "queued": the run waits for a task worker, whose claim starts the attempt
(``pools/services/change_requests/background.py``); so does a retried request.

"in_progress": ModelArts accepted a change that completes later (a scale, a reboot); the scheduled job looks
at it (``ChangeKind.observe``) until it is complete or has failed, and the request page shows how far it got.

"unknown": the call may or may not have taken effect (its answer was lost). It is settled by looking at
ModelArts (a retry, or the scheduled job): succeeded when the change shows; failed when it still does not
show CHANGE_REQUEST_EXECUTION_GRACE_SECONDS after it was sent. It is never sent again sooner.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pools.change_kinds import change_kind
from pools.models.connection import Connection


class ChangeRequestQuerySet(models.QuerySet):
    def transition(self, pk: int, expected, new: str, *, match: dict | None = None, **fields) -> bool:
        """Compare-and-set: move row ``pk`` from ``expected`` (a status or a tuple of them) to ``new``.

        True only for the one caller whose UPDATE matched; everyone racing it sees 0 rows and False.
        ``match`` adds conditions (e.g. the execution attempt); ``fields`` are written with the status.
        """
        statuses = (expected,) if isinstance(expected, str) else tuple(expected)
        updated = self.filter(pk=pk, status__in=statuses, **(match or {})).update(
            status=new, updated_at=timezone.now(), **fields
        )
        return updated == 1


class ChangeRequest(models.Model):
    class Kind(models.TextChoices):
        CREATE_POOL = "create_pool", _("Create pool")
        DELETE_POOL = "delete_pool", _("Delete pool")
        DELETE_NODES = "delete_nodes", _("Delete nodes")
        SCALE_POOL = "scale_pool", _("Scale pool")
        EDIT_POOL = "edit_pool", _("Edit pool")
        POOL_TAGS = "pool_tags", _("Change pool tags")
        REBOOT_NODES = "reboot_nodes", _("Reboot nodes")
        DRAIN_NODES = "drain_nodes", _("Drain nodes")
        LOCK_NODES = "lock_nodes", _("Lock nodes")
        UNLOCK_NODES = "unlock_nodes", _("Unlock nodes")
        RESET_NODES = "reset_nodes", _("Reset nodes")
        ACCEPT_EVENT = "accept_event", _("Accept scheduled maintenance")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        EXECUTING = "executing", _("Executing")
        IN_PROGRESS = "in_progress", _("In progress")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # The pool id (metadata.name) for deletes; the display name for a create.
    target = models.CharField(max_length=128)
    # The exact API body sent on execution: CreatePool body, {"deleteNodeNames": [...]}, or null.
    body = models.JSONField(null=True, blank=True)
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="change_requests"
    )
    idempotency_key = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    # Frozen at request time so a settings change never re-decides requests already in the queue.
    approvals_required = models.PositiveSmallIntegerField(default=1)
    # Live state when requested, to show the approver what changed since.
    snapshot = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_comment = models.TextField(blank=True)

    # Execution: who started the latest attempt, when it started and ended, and what came back.
    attempts = models.PositiveIntegerField(default=0)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    execution_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    result_request_id = models.CharField(max_length=128, blank=True)
    result_error_code = models.CharField(max_length=64, blank=True)
    result_error_msg = models.TextField(blank=True)
    result_message = models.TextField(blank=True)
    result_pool_name = models.CharField(max_length=128, blank=True)
    # The last call may or may not have taken effect (timeout on a POST): query before anything is resent.
    outcome_unknown = models.BooleanField(default=False)
    # For a change ModelArts completes later (in progress): what following it needs (a job id, an order name)
    # as the call returned it, and when it was last looked at.
    tracking = models.JSONField(default=dict, blank=True)
    progress_checked_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"], name="change_request_idempotency_per_requester"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="change_request_status_expiry")]

    def __str__(self) -> str:
        return f"change request #{self.pk}: {self.get_kind_display().lower()} {self.target}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def resend_allowed_at(self) -> datetime | None:
        """When the change may be sent again if ModelArts still shows no sign of the last attempt: a slow
        ModelArts may apply a call whose answer was lost for a while after it was sent."""
        if self.execution_started_at is None:
            return None
        return self.execution_started_at + timedelta(seconds=settings.CHANGE_REQUEST_EXECUTION_GRACE_SECONDS)

    @property
    def run_expired(self) -> bool:
        """Past its expiry a request can no longer be run (or run again); only settling it goes on."""
        return self.expires_at <= timezone.now()

    @property
    def current_status(self) -> str:
        """The status as of now, as pages show it: a request still pending past its expiry is expired, though
        the scheduled job (process_change_requests) has not recorded that yet; no decision acts on it."""
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status

    def get_current_status_display(self) -> str:
        return self.Status(self.current_status).label

    @property
    def decision(self) -> str:
        """How it was decided: "Approved" (whatever its execution did), "Rejected", "Cancelled", "Expired"."""
        if self.current_status in (self.Status.REJECTED, self.Status.CANCELLED, self.Status.EXPIRED):
            return self.get_current_status_display()
        return str(self.Status.APPROVED.label) if self.decided_at else ""

    @property
    def change_kind(self):
        """What this kind of request asks for, and how it runs (``pools.change_kinds``)."""
        return change_kind(self.kind)

    @property
    def node_names(self) -> list[str]:
        """The nodes the change acts on (none for a change to a whole pool)."""
        return self.change_kind.node_names(self.body)

    @property
    def pool_name(self) -> str:
        """The remote pool id this request is about, when known."""
        return self.change_kind.pool_name(self)

    @property
    def summary(self) -> str:
        """One readable sentence saying what executing this request will do."""
        return self.change_kind.summary(self)

    @property
    def call_description(self):
        """The exact API call (method, path, body) the approver approves."""
        return self.change_kind.describe(self)


OPEN_STATUSES = (
    ChangeRequest.Status.PENDING,
    ChangeRequest.Status.APPROVED,
    ChangeRequest.Status.EXECUTING,
    ChangeRequest.Status.IN_PROGRESS,  # ModelArts is still making it
    ChangeRequest.Status.UNKNOWN,  # still being settled: it may yet turn out done
)
DECIDED_STATUSES = tuple(s for s in ChangeRequest.Status if s != ChangeRequest.Status.PENDING)


class ChangeRequestApproval(models.Model):
    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "approver"], name="change_request_one_approval_per_approver"
            ),
        ]

    def __str__(self) -> str:
        return f"approval of #{self.change_request_id} by {self.approver}"


class ChangeRequestComment(models.Model):
    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment on #{self.change_request_id} by {self.author}"
