"""A record of the API requests the sandbox received, so tests can count upstream calls per operation
(e.g. that a cached page called ListPools once). Control requests (``/_sandbox/…``) are not recorded."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordedCall:
    operation: str  # e.g. "ListPools"; "" for a path that matched no operation
    method: str
    path: str
    query: str
    status: int  # 0 when the connection was dropped on purpose
    request_id: str


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []

    def record(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self, operation: str | None = None) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self._calls if operation is None or call.operation == operation]

    def count(self, operation: str | None = None) -> int:
        return len(self.calls(operation))

    def counts(self) -> dict[str, int]:
        with self._lock:
            totals: dict[str, int] = {}
            for call in self._calls:
                totals[call.operation] = totals.get(call.operation, 0) + 1
            return totals

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
