"""A notice: one thing that happened, in the words every destination uses (a subject, lines of text, a link)
and as data for the JSON webhook. JSON-safe both ways, since it travels through the task queue."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from pools.models.notifications import EVENTS

SUBJECT_PREFIX = "[ModelArts Admin] "
# A route's Test button sends this event; no route subscribes to it.
TEST_EVENT = "test"
PAYLOAD_VERSION = 1


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


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

    def __post_init__(self) -> None:
        if self.event not in EVENTS and self.event != TEST_EVENT:
            raise ValueError(f"unknown notification event {self.event!r}")

    @property
    def title(self) -> str:
        return SUBJECT_PREFIX + self.subject

    @property
    def text(self) -> str:
        """The body of an e-mail or a chat message."""
        tail = ["", self.link] if self.link else []
        return "\n".join([*self.lines, *tail])

    def payload(self) -> dict[str, Any]:
        """The JSON webhook's body (the sender adds ``timestamp``)."""
        return {
            "version": PAYLOAD_VERSION,
            "id": self.id,
            "event": self.event,
            "occurred_at": self.occurred_at,
            "connection": {"id": self.connection_id, "name": self.connection_name},
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
