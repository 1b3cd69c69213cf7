"""The unsigned control endpoints under ``/_sandbox/`` for the demo and for tests in other processes.

=======  ======================  ===========================================================================
GET      /_sandbox               this list
GET      /_sandbox/faults        ``{"faults": [...]}``: the active fault rules (see ``faults.py``)
POST     /_sandbox/faults        add one rule (``{"kind": "error", "status": 503, "count": 2}``) or several
                                 (``{"faults": [...]}``); answers the active rules
DELETE   /_sandbox/faults        clear every rule
POST     /_sandbox/reset         forget every pool, fault and recorded call; timings back to the start values
POST     /_sandbox/seed          add the demo estate: ``{"projectId": "..."}``, or every account's project
GET      /_sandbox/calls         ``{"total": n, "byOperation": {"ListPools": 3, ...}}``
DELETE   /_sandbox/calls         forget the recorded calls
GET      /_sandbox/clock         ``{"now": "2025-01-01T08:00:00Z", "epochSeconds": ...}``
POST     /_sandbox/clock         ``{"advanceSeconds": 60}`` moves the sandbox's time forward
GET      /_sandbox/timings       the simulated durations (``creation_seconds``, ``deletion_seconds``, ...)
POST     /_sandbox/timings       change some of them: ``{"creation_seconds": 5}``
=======  ======================  ===========================================================================

Bad input answers 400 ``{"error_code": "SANDBOX.400", "error_msg": ...}``; unknown paths 404.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from pools.sandbox.clock import rfc3339
from pools.sandbox.faults import Fault

if TYPE_CHECKING:
    from pools.sandbox.server import Sandbox

PREFIX = "/_sandbox"
ENDPOINTS = [
    "GET /_sandbox/faults",
    "POST /_sandbox/faults",
    "DELETE /_sandbox/faults",
    "POST /_sandbox/reset",
    "POST /_sandbox/seed",
    "GET /_sandbox/calls",
    "DELETE /_sandbox/calls",
    "GET /_sandbox/clock",
    "POST /_sandbox/clock",
    "GET /_sandbox/timings",
    "POST /_sandbox/timings",
]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(body: bytes) -> Any:
    if not body:
        return {}
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ControlError(400, "the body is not valid JSON") from None


def _faults(sandbox: Sandbox) -> dict[str, Any]:
    return {"faults": [fault.to_json() for fault in sandbox.faults.active()]}


def _add_faults(sandbox: Sandbox, body: bytes) -> dict[str, Any]:
    data = _json(body)
    items = data.get("faults") if isinstance(data, dict) and "faults" in data else [data]
    if not isinstance(items, list):
        raise ControlError(400, "faults must be a list")
    try:
        rules = [Fault.from_json(item) for item in items]
    except (TypeError, ValueError) as problem:
        raise ControlError(400, str(problem)) from None
    for rule in rules:
        sandbox.faults.add(rule)
    return _faults(sandbox)


def _seed(sandbox: Sandbox, body: bytes) -> dict[str, Any]:
    data = _json(body)
    project_id = data.get("projectId") if isinstance(data, dict) else None
    if project_id is not None and not (isinstance(project_id, str) and project_id):
        raise ControlError(400, "projectId must be a non-empty string")
    return {"added": sandbox.seed_demo(project_id)}


def _clock(sandbox: Sandbox) -> dict[str, Any]:
    now = sandbox.clock.now()
    return {"now": rfc3339(now), "epochSeconds": now}


def _advance(sandbox: Sandbox, body: bytes) -> dict[str, Any]:
    data = _json(body)
    seconds = data.get("advanceSeconds") if isinstance(data, dict) else None
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise ControlError(400, "advanceSeconds must be a number of at least 0")
    sandbox.advance(seconds)
    return _clock(sandbox)


def _set_timings(sandbox: Sandbox, body: bytes) -> dict[str, Any]:
    data = _json(body)
    names = {item.name for item in dataclasses.fields(sandbox.timings)}
    if not isinstance(data, dict) or set(data) - names:
        raise ControlError(400, f"timings may only set: {', '.join(sorted(names))}")
    for name, value in data.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ControlError(400, f"{name} must be a number of seconds, at least 0")
        setattr(sandbox.timings, name, float(value))
    return dataclasses.asdict(sandbox.timings)


def _clear_faults(sandbox: Sandbox) -> dict[str, Any]:
    sandbox.faults.clear()
    return _faults(sandbox)


def _reset(sandbox: Sandbox) -> dict[str, Any]:
    sandbox.reset()
    return {"reset": True}


def _calls(sandbox: Sandbox) -> dict[str, Any]:
    return {"total": sandbox.calls(), "byOperation": sandbox.call_counts()}


def _clear_calls(sandbox: Sandbox) -> dict[str, Any]:
    sandbox.clear_calls()
    return _calls(sandbox)


def handle(sandbox: Sandbox, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """The status and JSON body for a control request."""
    routes = {
        ("GET", ""): lambda: {"endpoints": ENDPOINTS},
        ("GET", "/faults"): lambda: _faults(sandbox),
        ("POST", "/faults"): lambda: _add_faults(sandbox, body),
        ("DELETE", "/faults"): lambda: _clear_faults(sandbox),
        ("POST", "/reset"): lambda: _reset(sandbox),
        ("POST", "/seed"): lambda: _seed(sandbox, body),
        ("GET", "/calls"): lambda: _calls(sandbox),
        ("DELETE", "/calls"): lambda: _clear_calls(sandbox),
        ("GET", "/clock"): lambda: _clock(sandbox),
        ("POST", "/clock"): lambda: _advance(sandbox, body),
        ("GET", "/timings"): lambda: dataclasses.asdict(sandbox.timings),
        ("POST", "/timings"): lambda: _set_timings(sandbox, body),
    }
    action = routes.get((method, path.removeprefix(PREFIX).rstrip("/")))
    if action is None:
        return 404, {"error_code": "SANDBOX.404", "error_msg": f"no control endpoint {method} {path}"}
    try:
        return 200, action()
    except ControlError as problem:
        return problem.status, {"error_code": f"SANDBOX.{problem.status}", "error_msg": problem.message}
