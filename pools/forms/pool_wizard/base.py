"""What every step's form shares: the context it is validated in, the invisible-character check, the error
banner's list of errors the page does not show, and showing a draft without its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict

from pools import flavors
from pools.modelarts.vocabulary import DEFAULT_WORKSPACE
from pools.validators import validate_no_invisible_characters


@dataclass(frozen=True)
class WizardContext:
    """What a step needs to know from the user and from the steps before it."""

    user: Any = None
    connections: tuple = ()  # Connection rows the user may use
    default_connection_id: int | None = None  # the one in the switcher
    default_workspace_id: str = DEFAULT_WORKSPACE
    region: str = ""  # of the chosen connection; availability zones must lie in it
    pool_type: str = ""
    flavor_ids: tuple[str, ...] = field(default_factory=tuple)
    # The flavors on sale for the chosen connection (a FlavorOffers, with each flavor's zones), set by
    # context_after through read_offers (connection -> FlavorOffers), which the view gives; None: not read.
    offers: Any = None
    read_offers: Any = None

    @classmethod
    def for_user(cls, *, user, connections: tuple, current, read_offers=None) -> WizardContext:
        """A new wizard's context: the ``connections`` the user may use, the switcher's ``current`` one (or
        None) chosen first, and its workspace as the default; ``read_offers`` reads a connection's flavors."""
        if current is None:
            return cls(user=user, connections=connections, read_offers=read_offers)
        return cls(
            user=user,
            connections=connections,
            default_connection_id=current.pk,
            default_workspace_id=current.workspace_id or DEFAULT_WORKSPACE,
            read_offers=read_offers,
        )

    @property
    def zones(self) -> tuple[str, ...]:
        """The availability zones the chosen connection's flavors list; empty when not known."""
        return self.offers.zones if self.offers is not None else ()

    @property
    def accelerators(self) -> set[str]:
        return flavors.accelerators_of(self.flavor_ids)

    def connection(self, connection_id: int | None):
        """The user's connection with this id, or None."""
        return next((conn for conn in self.connections if conn.pk == connection_id), None)


def errors_outside(form: forms.Form, shown: set[str], prefix: str = "") -> list[str]:
    """``form``'s errors on fields not in ``shown``, each as "Label: message"."""
    return [
        f"{prefix}{form[name].label}: {message}"
        for name, messages in form.errors.items()
        if name != NON_FIELD_ERRORS and name not in shown
        for message in messages
    ]


class StepForm(forms.Form):
    title = ""

    def __init__(self, *args, context: WizardContext, **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)
        # Every text field of every step, also one added later: nothing unseen reaches the review.
        for form_field in self.fields.values():
            if isinstance(form_field, forms.CharField):
                form_field.validators.append(validate_no_invisible_characters)

    @property
    def shown_fields(self) -> set[str]:
        """The fields the step's page shows (its template asks this too); every field unless overridden."""
        return set(self.fields)

    @property
    def unshown_errors(self) -> list[str]:
        """Errors on fields the page does not show, for the page's error banner: whatever goes wrong, a step
        never comes back without saying why."""
        return errors_outside(self, self.shown_fields)


def hide_errors(form) -> None:
    """Show a bound form's (or formset's) values without its errors: a saved draft, a row just added."""
    if hasattr(form, "management_form"):
        for row in form.forms:
            row._errors = ErrorDict()
        form._errors = [ErrorDict() for _ in form.forms]
        form._non_form_errors = form.error_class()
    else:
        form._errors = ErrorDict()
