"""What ModelArts says now about the thing a change request would change, and whether the change can still be
made: read when a request is filed (its snapshot), before it is approved or run, and on the approval pages.
What to read and check is each kind's own (``pools/change_kinds/``); this module runs it for a request.

Reads only: nothing here writes a row, an audit entry or an e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pools.change_kinds import change_kind
from pools.core.clients import usable_client_for
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError
from pools.models import ChangeRequest, Connection

READING_LIVE_STATE = _("Reading the live state of {pool}")


def live_state(*, client, connection: Connection, kind: str, target: str, body: Any) -> dict[str, Any]:
    """What ModelArts says now about the thing a request would change. Raises ModelArtsError."""
    return change_kind(kind).read_live(client, connection=connection, target=target, body=body)


def problems_in(*, kind: str, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
    """Why the change cannot be made against ``live`` (empty when it can)."""
    return change_kind(kind).problems(target, body, live)


def changes_between(*, kind: str, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Readable differences between the state when requested and now."""
    return change_kind(kind).changes(snapshot or {}, live)


@dataclass(frozen=True)
class Revalidation:
    """The request checked against the live state: can it run, and what changed since it was made."""

    ok: bool
    problems: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    live: Mapping[str, Any] = field(default_factory=dict)
    error: ApplicationError | None = None
    checked_at: datetime = field(default_factory=timezone.now)


def revalidate(change_request: ChangeRequest, *, client=None) -> Revalidation:
    """Check ``change_request`` against ModelArts now. An unreadable live state is not ok (``error``)."""
    try:
        if client is None:
            with closing(usable_client_for(change_request.connection)) as own_client:
                return revalidate(change_request, client=own_client)
        live = live_state(
            client=client,
            connection=change_request.connection,
            kind=change_request.kind,
            target=change_request.target,
            body=change_request.body,
        )
    except ModelArtsError as error:
        failure = ApplicationError.from_upstream(READING_LIVE_STATE.format(pool=change_request.target), error)
        return Revalidation(ok=False, problems=(failure.message,), error=failure)
    except ApplicationError as error:  # e.g. the connection's keys cannot be opened
        return Revalidation(ok=False, problems=(error.message,), error=error)
    problems = problems_in(
        kind=change_request.kind, target=change_request.target, body=change_request.body, live=live
    )
    changes = changes_between(kind=change_request.kind, snapshot=change_request.snapshot or {}, live=live)
    return Revalidation(ok=not problems, problems=tuple(problems), changes=tuple(changes), live=live)
