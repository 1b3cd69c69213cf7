"""What every kind of change request defines, and the values its steps hand back.

A kind is a small class with no state: the views, the reads and the writes all ask the same instance
(``pools.change_kinds.change_kind(name)``), so what a kind may ask for, how its target looks now, the call
that makes it and how its completion shows are written once, next to each other.

Methods take plain values (a client, a connection, a target, a body, a change request) and never import the
app's models, reads or writes: models, selectors and services all stand on this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from pools.change_kinds import messages
from pools.change_kinds.pool_state import pool_changes, pool_live, pool_problems
from pools.core.errors import ApplicationError

# What a look at ModelArts says of a change (``ChangeKind.observe``).
DONE = "done"  # the change shows, complete
PENDING = "pending"  # ModelArts has it and is still working on it
FAILED = "failed"  # ModelArts has it and says it did not work (``progress`` says why)
MISSING = "missing"  # no sign of it


@dataclass(frozen=True)
class Called:
    """What the one call returned: the pool it concerns and ModelArts' request id. ``follow`` is set when
    ModelArts accepted a change that completes later: what following it needs (a job id, an order name)."""

    pool_name: str
    request_id: str
    follow: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Observation:
    state: str
    pool_name: str = ""
    # For a person: "2 of 4 nodes ready", "order paid, nodes starting", why it failed; written in the language
    # active when ModelArts was looked at, as the outcome message it goes into.
    progress: str = ""

    @property
    def shows(self) -> bool:
        """ModelArts has the change (done or under way): it must never be sent again."""
        return self.state in (DONE, PENDING, FAILED)


@dataclass(frozen=True)
class CallDescription:
    """The exact API call, as the approver sees it before approving."""

    method: str
    path: str
    body: Any = None
    content_type: str = "application/json"
    notes: tuple[str, ...] = field(default_factory=tuple)


class ChangeKind:
    """A kind of change request. Subclasses set ``name`` and ``label`` (marked for translation, the same text
    as ``ChangeRequest.Kind``'s) and override what differs."""

    name: str = ""
    label: str = ""
    # Which form field a live-state refusal belongs to when filing.
    problem_field = "target"

    # --- what may be asked (filing) ---------------------------------------------------------------------

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        """``(target, body)`` as they are stored; ApplicationError naming the wrong field. ``target`` comes
        stripped and non-empty. By default: a pool id and no body."""
        self.require_pool_id(target)
        if body not in (None, {}):
            raise ApplicationError(messages.TAKES_NO_BODY.format(label=self.label), field="body")
        return target, None

    @staticmethod
    def require_pool_id(target: str) -> None:
        if not messages.POOL_ID.match(target):
            raise ApplicationError(messages.BAD_POOL_ID, field="target")

    def same_change(self, target: str, body: Any, other_target: str, other_body: Any) -> bool:
        """Would an open request for (other_target, other_body) already make this change? Then filing this
        one is refused as a duplicate. By default: the same pool."""
        return target == other_target

    # --- how it reads -----------------------------------------------------------------------------------

    def summary(self, change_request) -> str:
        """One sentence, in the reader's language: it is written each time it is shown, never stored."""
        return _("{label} {target}").format(label=self.label, target=change_request.target)

    def describe(self, change_request) -> CallDescription:
        raise NotImplementedError

    def node_names(self, body: Any) -> list[str]:
        """The nodes the change acts on (their workloads are its blast radius); none by default."""
        return []

    def pool_name(self, change_request) -> str:
        """The remote pool id the request is about, when known."""
        return change_request.target

    # --- the live state (filing, approving, running) ----------------------------------------------------

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        """What ModelArts says now about what the change would change. Raises ModelArtsError."""
        return pool_live(client, target)

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        """Why the change cannot be made against ``live`` (empty when it can). By default the pool must exist,
        not be being deleted, and be running."""
        return pool_problems(target, live, require_running=True)

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        """Readable differences between the state when filed and now."""
        return pool_changes(snapshot, live)

    # --- running ----------------------------------------------------------------------------------------

    def call(self, client, change_request) -> Called:
        """Make the change: the one call. Raises ModelArtsError."""
        raise NotImplementedError

    def observe(self, client, change_request) -> Observation:
        """Look at ModelArts: does the change show, is it complete? Raises ModelArtsError. Used after a lost
        answer (was it made?) and, for a change that completes later, until it is complete."""
        raise NotImplementedError
