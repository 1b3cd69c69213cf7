"""Personal API tokens: a user's key for the REST API, carrying that user's roles and never more.

The token itself is shown once, when it is made; only its SHA-256 digest is stored (a token is 256 random
bits, so a plain digest cannot be guessed back). ``scopes`` can only narrow what the user's roles allow.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

# Every token reads what its user may read. These add to that, within the user's roles.
SCOPE_CHANGE = "change"  # file change requests, comment on them, cancel one's own
SCOPE_APPROVE = "approve"  # approve and reject others' requests (only with API_APPROVAL_TOKENS on)
SCOPES = (SCOPE_CHANGE, SCOPE_APPROVE)
# What the pages call each scope and state (the API and the audit log use the codes).
SCOPE_LABELS = {
    SCOPE_CHANGE: pgettext_lazy("API token scope", "change"),
    SCOPE_APPROVE: pgettext_lazy("API token scope", "approve"),
}
STATE_LABELS = {
    "active": pgettext_lazy("API token state", "active"),
    "expired": pgettext_lazy("API token state", "expired"),
    "revoked": pgettext_lazy("API token state", "revoked"),
}


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None) -> ApiTokenQuerySet:
        """Not revoked and not past their expiry."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)  # shown in lists to tell tokens apart
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"API token “{self.name}” ({self.prefix}…) of {self.user}"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expired else "active"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def scope_labels(self) -> list[str]:
        """Its scopes as the pages name them (besides reading, which every token may)."""
        return [SCOPE_LABELS.get(scope, scope) for scope in self.scopes or []]
