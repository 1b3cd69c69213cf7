from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditChainHead(models.Model):
    """The single row that serialises audit writes and holds the chain's latest digest."""

    sequence = models.PositiveBigIntegerField(_("seal sequence"), default=0)
    digest = models.CharField(_("digest"), max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"audit chain at seal {self.sequence}"


class AuditSeal(models.Model):
    """The HMAC seal of one admin LogEntry, chained to the seal before it.

    ``log_entry_id`` is a plain integer, not a foreign key, so that removing an entry leaves its seal
    behind as evidence.
    """

    sequence = models.PositiveBigIntegerField(_("seal sequence"), unique=True)
    log_entry_id = models.PositiveBigIntegerField(_("log entry id"), unique=True)
    previous_digest = models.CharField(_("previous digest"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"seal {self.sequence} of log entry {self.log_entry_id}"
