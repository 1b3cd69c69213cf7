"""Notification routes (which destinations get which events of a connection) and the conditions already
announced (a failed pool, an abnormal node, a warning event), so that each is announced once.

Each route writes its messages in its own language (``language``, one of settings.LANGUAGES).

A route's destination (an e-mail list, a chat URL, a webhook URL) and a webhook's signing secret are stored
as Fernet tokens through ``pools/crypto.py``, like a connection's keys: chat and webhook URLs carry tokens.
Set them through ``target`` / ``secret``; only the delivery task reads them back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pools import crypto
from pools.models.connection import Connection

# What happened, as routes subscribe to it and as the JSON webhook names it: the key ("event") never changes
# and is never translated; the name is shown in the route's language (the webhook's "event_name").
EVENTS: dict[str, str] = {
    "approval_pending": _("A request awaits approval"),
    "request_approved": _("A request was approved"),
    "request_rejected": _("A request was rejected"),
    "request_expired": _("A request expired without a decision"),
    "execution_started": _("An execution started"),
    "execution_in_progress": _("A change is in progress at ModelArts"),
    "execution_succeeded": _("An execution succeeded"),
    "execution_failed": _("An execution failed"),
    "execution_unknown": _("An execution's outcome is unknown"),
    "pool_failed": _("A pool failed"),
    "node_abnormal": _("A node is abnormal"),
    "warning_event": _("A pool reported a warning event"),
}
# The events found by reading ModelArts (the scheduled job), not by a change request's steps.
READ_EVENTS = ("pool_failed", "node_abnormal", "warning_event")


def site_language() -> str:
    """A new route's language: the site's (LANGUAGE_CODE), read when the route is made, not when migrating."""
    return settings.LANGUAGE_CODE


class NotificationRoute(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat (Feishu/Lark, DingTalk, WeCom, Slack)")
        WEBHOOK = "webhook", _("Signed JSON webhook")

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="notification_routes")
    name = models.CharField(max_length=80)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    target_token = models.TextField(editable=False)
    # What pages show of the destination: addresses in full, a chat or webhook URL's scheme and host only.
    target_hint = models.CharField(max_length=200, editable=False, blank=True)
    secret_token = models.TextField(editable=False, blank=True)
    events = models.JSONField(default=list)
    # The language of every message this route sends (subject, text, dates); the webhook's keys stay as they are.
    language = models.CharField(
        _("Language"), max_length=16, choices=settings.LANGUAGES, default=site_language
    )
    enabled = models.BooleanField(default=True)

    last_sent_at = models.DateTimeField(null=True, editable=False)
    last_failed_at = models.DateTimeField(null=True, editable=False)
    # Never the URL or an upstream answer: the kind of failure only ("HTTP 503", "ConnectionError").
    last_failure = models.CharField(max_length=300, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connection", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "name"], name="pools_notification_route_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"

    @property
    def target(self) -> str:
        return crypto.decrypt(self.target_token)

    @target.setter
    def target(self, value: str) -> None:
        self.target_token = crypto.encrypt(value)

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_token) if self.secret_token else ""

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_token = crypto.encrypt(value) if value else ""

    @property
    def last_delivery_failed(self) -> bool:
        return self.last_failed_at is not None and (
            self.last_sent_at is None or self.last_failed_at > self.last_sent_at
        )

    @property
    def event_labels(self) -> list[str]:
        return [EVENTS[event] for event in EVENTS if event in self.events]


class AnnouncedCondition(models.Model):
    """A condition read off ModelArts and announced once: a failed pool, an abnormal node, a warning event.

    The row exists while the condition holds; when a successful read no longer shows it, the row goes, so the
    next occurrence is announced again. Inserting the row is the claim: two jobs at once announce it once.
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=32)
    key = models.CharField(max_length=400)
    announced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "event", "key"], name="pools_announced_condition_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.key}"
