"""The notification route form: name, channel, destination and secret (both write-only), events, the
language of its messages, enabled.

It parses; every rule is the service's (``pools/services/notifications/routes.py``), whose
``ValidationError`` comes back onto these fields (``add_service_errors``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.forms.connections import WriteOnlyInput
from pools.models import NotificationRoute
from pools.models.notifications import EVENTS
from pools.services.notifications.routes import MAX_ADDRESSES
from pools.services.notifications.senders import CHAT_SCHEMES

TARGET_HELP = format_lazy(
    _(
        "E-mail: up to {limit} addresses separated by commas, each once. Chat: an apprise URL, {schemes}. "
        "Webhook: the http(s) URL that receives the signed JSON. Stored encrypted; never shown again."
    ),
    limit=MAX_ADDRESSES,
    schemes=", ".join(f"{scheme}:// ({name})" for scheme, name in CHAT_SCHEMES.items()),
)
KEEP_HELP = _("Stored: {hint}. Leave blank to keep it.")
SIGNING_HELP = _(
    "Webhook only: the key of the X-Signature HMAC-SHA256 (at least 16 characters); the receiver verifies "
    "with the same secret (docs/security.md). Stored encrypted; never shown again."
)
LANGUAGE_HELP = _(
    "The language of this route's messages: the e-mail's subject and text, the chat message, the webhook's "
    "subject and text, and their dates. The webhook's keys (event, ids, states, times) are the same in every "
    "language."
)


class NotificationRouteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    channel = forms.ChoiceField(label=_("Channel"), choices=NotificationRoute.Channel.choices)
    target = forms.CharField(
        label=_("Destination"), required=False, max_length=2000, widget=WriteOnlyInput(input_type="text")
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=WriteOnlyInput(autocomplete="new-password"),
        help_text=SIGNING_HELP,
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=LANGUAGE_HELP,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, route: NotificationRoute | None = None, **kwargs) -> None:
        if route is not None:  # what the form shows until it is posted (no data: unbound)
            kwargs.setdefault(
                "initial",
                {
                    "name": route.name,
                    "channel": route.channel,
                    "events": route.events,
                    "language": route.language,
                    "enabled": route.enabled,
                },
            )
        super().__init__(*args, **kwargs)
        hint = route.target_hint if route is not None else ""
        self.fields["target"].help_text = KEEP_HELP.format(hint=hint) if route is not None else TARGET_HELP

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
