"""Forms of the approval pages: decide or run (with re-authentication), reject, comment, filter the history."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from pools.models import ChangeRequest
from pools.models.change_request import DECIDED_STATUSES
from pools.services import login_throttle
from pools.sso import session as sso_session
from pools.sso.local_login import LOCAL_LOGIN_OFF, password_login_allowed

WRONG_PASSWORD = _("That is not your password. Approving needs your password again.")  # noqa: S105 (a message)
WRONG_PASSWORD_TO_RUN = _("That is not your password. Running a change needs your password again.")  # noqa: S105
COMMENT_MAX = 5000
REAUTHENTICATE = _(
    "You signed in through your identity provider: sign in there again (the link on this card) "
    "within {minutes} minutes before you decide."
)


class PasswordRecheckForm(forms.Form):
    """A decision that spends money or destroys work: the person proves again who they are.

    With a password (a local account): they type it again. Signed in through the IdP, where the dashboard
    holds no password: a sign-in at the IdP no older than ``OIDC_REAUTH_MAX_AGE_SECONDS`` (a round trip
    through ``sso_reauthenticate`` with ``prompt=login``) is needed instead, and there is no password field.
    """

    wrong_password = WRONG_PASSWORD_TO_RUN
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label=_("Your password"),
    )

    def __init__(self, *args, user, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.reauthenticate_at_idp = sso_session.signed_in_with_sso(request)
        if self.reauthenticate_at_idp:
            del self.fields["password"]

    @property
    def freshly_authenticated(self) -> bool:
        return self.reauthenticate_at_idp and sso_session.freshly_authenticated(self.request)

    def clean(self):
        cleaned = super().clean()
        if self.reauthenticate_at_idp and not self.freshly_authenticated:
            minutes = max(1, settings.OIDC_REAUTH_MAX_AGE_SECONDS // 60)
            raise forms.ValidationError(REAUTHENTICATE.format(minutes=minutes), code="reauthenticate")
        return cleaned

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password_login_allowed(self.user.get_username()):
            raise forms.ValidationError(LOCAL_LOGIN_OFF, code="local_login_off")
        # Counted per session: a borrowed session cannot guess the password at leisure, and guesses made by
        # others at the log-in page never pause an approver who is already signed in.
        try:
            correct = login_throttle.password_recheck(user=self.user, password=password, request=self.request)
        except login_throttle.PasswordChecksPaused as paused:
            raise forms.ValidationError(str(paused), code="throttled") from None
        if not correct:
            raise forms.ValidationError(self.wrong_password, code="wrong_password")
        return password


class ApproveForm(PasswordRecheckForm):
    """Approving runs the change once enough approvers agree."""

    wrong_password = WRONG_PASSWORD
    field_order = ["comment", "password"]
    comment = forms.CharField(
        required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment")
    )


class RunForm(PasswordRecheckForm):
    """Executing an approved request a crash left behind, or retrying a failed one, sends the change again:
    as much a decision as approving it."""


class RejectForm(forms.Form):
    comment = forms.CharField(
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Why reject?"),
        error_messages={"required": _("Say why you reject this request.")},
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Comment"),
        error_messages={"required": _("Write a comment first.")},
    )


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("Any decided status"))]
        + [(s.value, s.label) for s in ChangeRequest.Status if s in DECIDED_STATUSES],
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", _("Any change"))] + list(ChangeRequest.Kind.choices)
    )


class MyRequestsFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status"))] + list(ChangeRequest.Status.choices)
    )
