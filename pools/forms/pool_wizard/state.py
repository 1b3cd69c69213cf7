"""The wizards of one browser session: each one's saved step drafts, when it started, what it filed.

This is request state of the browser, kept in its session, not a write of the application: it lives with
the wizard's forms (whose drafts it keeps), not among the services. A draft is a step's form data as
posted, only the fields that step declares, so going back shows what was typed, valid or not.

Each wizard has an id in its URL and its own slot in the session, so two tabs never mix. A session keeps
the newest MAX_WIZARDS_PER_SESSION wizards of at most MAX_WIZARD_BYTES each.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from django.utils.datastructures import MultiValueDict

from pools.core.errors import ApplicationError
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.steps import declared_fields

SESSION_KEY = "pool_wizards"
MAX_WIZARDS_PER_SESSION = 10
# What one wizard may keep in the session, measured as the session stores it (JSON, non-ASCII escaped).
# Every field typed to its longest, the free text in the characters JSON escapes most, takes about 34 KiB;
# so the wizards of one session hold at most MAX_WIZARDS_PER_SESSION times this.
MAX_WIZARD_BYTES = 48 * 1024


def stored_size(value) -> int:
    """The bytes ``value`` takes in the session (Django's JSONSerializer: compact, ASCII only)."""
    return len(json.dumps(value, separators=(",", ":")))


class WizardStore:
    """The wizards of one browser session, each a dict: saved step data, start time, filed request."""

    def __init__(self, session):
        self.session = session

    def _all(self) -> dict:
        wizards = self.session.get(SESSION_KEY)
        return wizards if isinstance(wizards, dict) else {}

    def _write(self, wizards: dict) -> None:
        self.session[SESSION_KEY] = wizards
        self.session.modified = True

    def start(self) -> str:
        wizards = self._all()
        # Keep the newest few: a session should not grow with every abandoned wizard.
        for old in sorted(wizards, key=lambda k: wizards[k].get("started", ""))[
            : -MAX_WIZARDS_PER_SESSION + 1
        ]:
            del wizards[old]
        wizard_id = uuid.uuid4().hex
        wizards[wizard_id] = {"started": datetime.now(UTC).isoformat(), "steps": {}, "request": None}
        self._write(wizards)
        return wizard_id

    def get(self, wizard_id: str) -> dict | None:
        return self._all().get(wizard_id)

    def save_step(self, wizard_id: str, step: str, data: dict[str, list[str]]) -> None:
        """Keep ``data`` as the step's draft; refused (ApplicationError) when the wizard would grow too big."""
        wizards = self._all()
        wizard = {**wizards[wizard_id], "steps": {**wizards[wizard_id]["steps"], step: data}}
        size = stored_size(wizard)
        if size > MAX_WIZARD_BYTES:
            raise ApplicationError(
                text.WIZARD_TOO_LARGE.format(size=-(-size // 1024), limit=MAX_WIZARD_BYTES // 1024)
            )
        wizards[wizard_id] = wizard
        self._write(wizards)

    def mark_filed(self, wizard_id: str, request_pk: int) -> None:
        wizards = self._all()
        wizards[wizard_id]["request"] = request_pk
        self._write(wizards)

    def discard(self, wizard_id: str) -> None:
        wizards = self._all()
        wizards.pop(wizard_id, None)
        self._write(wizards)


def posted_draft(post: MultiValueDict, step: str) -> dict[str, list[str]]:
    """The step's own fields as posted: any other name is dropped, and so are values beyond a field's few."""
    declared = declared_fields(step)
    return {key: values[: declared[key]] for key, values in post.lists() if key in declared}


def as_form_data(draft: dict[str, list[str]] | None) -> MultiValueDict | None:
    """A saved draft as a form's data (None, an unbound form, when the step has no draft)."""
    if draft is None:
        return None
    return MultiValueDict(
        {str(k): [str(v) for v in values] for k, values in draft.items() if isinstance(values, list)}
    )


def saved_steps(wizard: dict) -> dict[str, MultiValueDict]:
    """Every saved draft of ``wizard`` as form data, by step."""
    return {step: as_form_data(draft) for step, draft in wizard["steps"].items()}
