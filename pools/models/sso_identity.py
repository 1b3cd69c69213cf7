"""Who a user is at the company's identity provider: the (issuer, subject) pair of their ID tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoIdentity(models.Model):
    """Links an IdP's subject to one dashboard user, so a sign-in finds its user by ``sub``, never by a
    name or an e-mail address that someone else could be given at the IdP."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identity",
    )
    issuer = models.CharField(_("issuer"), max_length=500)
    subject = models.CharField(_("subject at the identity provider"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last signed in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
