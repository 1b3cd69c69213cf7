from django.conf import settings
from django.db import models

from pools import crypto
from pools.modelarts.regions import REGION_IDS, endpoint_for_region


class ConnectionQuerySet(models.QuerySet):
    def in_use(self) -> "ConnectionQuerySet":
        """Connections the dashboard works with: not deleted (see ``Connection.retired_at``)."""
        return self.filter(retired_at__isnull=True)


def mask(value: str) -> str:
    """First and last four characters; shorter values are hidden entirely."""
    return f"{value[:4]}…{value[-4:]}" if len(value) > 8 else "…"


class Connection(models.Model):
    """One Huawei Cloud account + project + region the dashboard can talk to.

    AK and SK are stored as Fernet tokens. Set them through ``access_key`` / ``secret_key``; only
    ``client_for_connection`` reads them back.
    """

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=500, blank=True)
    region = models.CharField(max_length=32, choices=[(r, r) for r in REGION_IDS])
    project_id = models.CharField(max_length=64)
    endpoint = models.URLField(
        max_length=300, blank=True, help_text="Leave blank for the region's public ModelArts endpoint."
    )
    user_id = models.CharField("X-ModelArts-User-ID", max_length=64, blank=True)
    workspace_id = models.CharField("default workspace id", max_length=64, default="0")
    access_key_token = models.TextField(editable=False)
    secret_key_token = models.TextField(editable=False)
    access_key_hint = models.CharField(max_length=16, editable=False, blank=True)

    last_test_ok = models.BooleanField(null=True, editable=False)
    last_test_at = models.DateTimeField(null=True, editable=False)
    last_test_summary = models.CharField(max_length=500, blank=True, editable=False)
    last_test_latency_ms = models.PositiveIntegerField(null=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a connection that past change requests refer to is deleted: the row stays for their history
    # (name, region, project), its keys are erased, and no page offers it any more.
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # A deleted connection's name is free again; the ones in use stay unique.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(retired_at__isnull=True),
                name="pools_connection_name_unique_in_use",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def access_key(self) -> str:
        return crypto.decrypt(self.access_key_token)

    @access_key.setter
    def access_key(self, value: str) -> None:
        self.access_key_token = crypto.encrypt(value)
        self.access_key_hint = mask(value)

    @property
    def secret_key(self) -> str:
        return crypto.decrypt(self.secret_key_token)

    @secret_key.setter
    def secret_key(self, value: str) -> None:
        self.secret_key_token = crypto.encrypt(value)

    @property
    def effective_endpoint(self) -> str:
        return self.endpoint or endpoint_for_region(self.region)


class UserPreference(models.Model):
    """Per-user choices that outlive a session: the connection and the language picked in the header's
    switchers. The language is also the one the dashboard writes to the person in (e-mails)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pools_preference"
    )
    connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Blank: never chosen (the person is written to in LANGUAGE_CODE and the browser decides their pages).
    language = models.CharField(max_length=16, blank=True, default="", choices=settings.LANGUAGES)

    def __str__(self) -> str:
        return f"preferences of {self.user}"
