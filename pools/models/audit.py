from django.db import models


class AuditChainHead(models.Model):
    """The single row that serialises audit writes and holds the chain's latest digest."""

    sequence = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain at seal {self.sequence}"


class AuditSeal(models.Model):
    """The HMAC seal of one admin LogEntry, chained to the seal before it.

    ``log_entry_id`` is a plain integer, not a foreign key, so that removing an entry leaves its seal
    behind as evidence.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    log_entry_id = models.PositiveBigIntegerField(unique=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"seal {self.sequence} of log entry {self.log_entry_id}"
