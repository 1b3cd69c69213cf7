"""A notice: one thing that happened, in the words every destination uses (a subject, lines of text, a link)
and as data for the JSON webhook. JSON-safe both ways, since it travels through the task queue.

A notice is written in one language, the one active when it is made (``language``). ``in_every_language``
writes the same notice (one id, one time) in each of settings.LANGUAGES, so that each destination gets it in
its own: a route in its ``language``, a person in their own (else the site's). Only the words change; the
webhook's keys (``event``, ids, states, ISO times) are the same in every language.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from pools.models.notifications import EVENTS

SUBJECT_PREFIX = "[ModelArts Admin] "
# A route's Test button sends this event; no route subscribes to it.
TEST_EVENT = "test"
TEST_EVENT_NAME = _("A test of this route")
PAYLOAD_VERSION = 1


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


def active_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def event_name(event: str) -> str:
    """The event's name in the active language."""
    return str(TEST_EVENT_NAME if event == TEST_EVENT else EVENTS[event])


def moment(value: datetime) -> str:
    """A moment as the active language writes a date ("Dec. 4, 2026", "2026年12月4日"), then the UTC time."""
    value = value.astimezone(UTC)
    return f"{formats.date_format(value, 'DATE_FORMAT')} {value:%H:%M} UTC"


@dataclass(frozen=True)
class Notice:
    event: str  # a key of EVENTS
    connection_id: int
    connection_name: str
    subject: str  # without SUBJECT_PREFIX
    lines: tuple[str, ...]
    link: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=_new_id)
    occurred_at: str = field(default_factory=_now)
    language: str = field(default_factory=active_language)  # the language of its words
    event_name: str = ""  # EVENTS' name of ``event`` in ``language``; filled in when made
    link_text: str = ""  # the line above the link, e.g. "Open change request #3:"

    def __post_init__(self) -> None:
        if self.event not in EVENTS and self.event != TEST_EVENT:
            raise ValueError(f"unknown notification event {self.event!r}")
        if not self.event_name:
            with translation.override(self.language):
                object.__setattr__(self, "event_name", event_name(self.event))

    @property
    def title(self) -> str:
        return SUBJECT_PREFIX + self.subject

    @property
    def text(self) -> str:
        """The body of an e-mail or a chat message."""
        tail = ["", *filter(None, [self.link_text, self.link])] if self.link else []
        return "\n".join([*self.lines, *tail])

    def payload(self) -> dict[str, Any]:
        """The JSON webhook's body (the sender adds ``timestamp``)."""
        return {
            "version": PAYLOAD_VERSION,
            "id": self.id,
            "event": self.event,
            "occurred_at": self.occurred_at,
            "language": self.language,
            "connection": {"id": self.connection_id, "name": self.connection_name},
            "event_name": self.event_name,
            "subject": self.subject,
            "text": "\n".join(self.lines),
            "url": self.link,
            "data": self.data,
        }

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "lines": list(self.lines)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        return cls(**{**data, "lines": tuple(data.get("lines") or ())})


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def in_every_language(write: Callable[[], Notice]) -> dict[str, Notice]:
    """``write`` called in each of settings.LANGUAGES: one notice (the first one's id and time) in each."""
    notices: dict[str, Notice] = {}
    for language in languages():
        with translation.override(language):
            notice = write()
        first = next(iter(notices.values()), notice)
        notices[language] = replace(notice, id=first.id, occurred_at=first.occurred_at)
    return notices


def in_language(notices: dict[str, Notice], language: str) -> Notice:
    """The notice in ``language``; in the site's when that one was not written (a language since removed)."""
    return notices.get(language) or notices.get(settings.LANGUAGE_CODE) or next(iter(notices.values()))
