"""Confirmations for the destructive requests: delete a pool, delete some of its nodes."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pools.modelarts.types import Node, Pool
from pools.modelarts.vocabulary import NODE_DELETING
from pools.templatetags.display import reveal

# Error texts, asserted on by the tests.
CONFIRMATION_MISMATCH = _("Type the pool's name “{display}” or its id exactly to confirm.")
REASON_REQUIRED = _("Say why this change is needed; approvers read it.")
NO_NODES_SELECTED = _("Select at least one node to delete.")
UNKNOWN_NODES = _("Not nodes of this pool (any more): {names}.")
NOTHING_WOULD_REMAIN = _("A pool must keep at least one node; deselect some nodes or delete the whole pool.")
TOO_MANY_NODES = _("Select at most {limit} nodes in one request.")

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")
MAX_NODES_PER_REQUEST = 500


class SubmissionKeyMixin(forms.Form):
    """A hidden key made when the form is shown: submitting the same form twice files one request."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fresh_key = uuid.uuid4().hex
        self._renewed = False

    def renew_key(self) -> None:
        """Show the form with a fresh key: its posted key already filed a request with other values."""
        self._renewed = True

    @property
    def key(self) -> str:
        """The posted key when it is well-formed, else a fresh one; the page sends it back on submit."""
        if self._renewed:
            return self._fresh_key
        posted = self.data.get(self.add_prefix("submission_key")) if self.is_bound else None
        # A lost or mangled key gets a fresh one: the worst case is a second request, never a crash.
        return posted if isinstance(posted, str) and SUBMISSION_KEY.match(posted) else self._fresh_key

    def clean_submission_key(self):
        return self.key


class DeletePoolForm(SubmissionKeyMixin):
    confirmation = forms.CharField(
        label=_("Type the pool's name to confirm"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
    )

    def __init__(self, *args, pool: Pool, **kwargs):
        self.pool = pool
        super().__init__(*args, **kwargs)
        # Django's field template prints help_text as HTML, and both names are ModelArts' text: escaped here,
        # with hidden characters (bidi overrides, zero-width…) shown as markers like every page shows them.
        self.fields["confirmation"].help_text = format_html(
            "“{}” or “{}”.", reveal(pool.display_name), reveal(pool.name)
        )

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"]
        if typed not in (self.pool.display_name, self.pool.name):
            raise forms.ValidationError(CONFIRMATION_MISMATCH.format(display=self.pool.display_name))
        return typed


class DeleteNodesForm(SubmissionKeyMixin):
    """The nodes picked in the node table, checked against the pool's nodes as listed now."""

    nodes = forms.MultipleChoiceField(
        widget=forms.MultipleHiddenInput, error_messages={"required": NO_NODES_SELECTED}
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REASON_REQUIRED},
    )

    def __init__(self, *args, pool_nodes: list[Node], selection_only: bool = False, **kwargs):
        self.pool_nodes = pool_nodes
        super().__init__(*args, **kwargs)
        # Any posted name is accepted by the field; clean_nodes says which ones are not in the pool.
        self.fields["nodes"].choices = [(name, name) for name in self._posted_names()]
        if selection_only:
            # Arriving from the node table: check the selection, ask for the reason next.
            self.fields["reason"].required = False

    def _posted_names(self) -> list[str]:
        if not self.is_bound:
            return []
        names = self.data.getlist(self.add_prefix("nodes")) if hasattr(self.data, "getlist") else []
        return list(dict.fromkeys(str(name) for name in names))

    def clean_nodes(self):
        names = list(dict.fromkeys(self.cleaned_data["nodes"]))
        if len(names) > MAX_NODES_PER_REQUEST:
            raise forms.ValidationError(TOO_MANY_NODES.format(limit=MAX_NODES_PER_REQUEST))
        known = {node.name for node in self.pool_nodes}
        unknown = [name for name in names if name not in known]
        if unknown:
            shown = ", ".join(name[:80] for name in unknown[:10]) + (" …" if len(unknown) > 10 else "")
            raise forms.ValidationError(UNKNOWN_NODES.format(names=shown))
        if not remaining_nodes(self.pool_nodes, names):
            raise forms.ValidationError(NOTHING_WOULD_REMAIN)
        return names

    def selected_nodes(self) -> list[Node]:
        chosen = set(self.cleaned_data.get("nodes") or self._posted_names())
        return [node for node in self.pool_nodes if node.name in chosen]


def remaining_nodes(pool_nodes: list[Node], selected: list[str]) -> list[Node]:
    """The nodes left once ``selected`` are gone; nodes already being deleted do not count as left."""
    chosen = set(selected)
    return [node for node in pool_nodes if node.name not in chosen and node.phase != NODE_DELETING]


def nodes_being_deleted(pool_nodes: list[Node]) -> list[Node]:
    return [node for node in pool_nodes if node.phase == NODE_DELETING]
