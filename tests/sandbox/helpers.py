"""Small helpers for the sandbox's own tests: signed calls to a project's API paths."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.fixtures.sandbox import PROJECT_ID, pool_body, signed_request

REQUEST_ID = re.compile(r"[0-9a-f]{32}")


def call(
    sandbox, method: str, path: str, *, project_id: str = PROJECT_ID, **kwargs: Any
) -> requests.Response:
    """``path`` is relative to ``/v2/{project_id}``, e.g. ``"/pools?status=created"``."""
    kwargs.setdefault("project_id", project_id)
    return signed_request(method, f"{sandbox.url}/v2/{project_id}{path}", **kwargs)


def create(sandbox, name: str = "pool-demo", **body_options: Any) -> dict[str, Any]:
    """Create a pool over HTTP and return the answer, asserting it was accepted."""
    response = call(sandbox, "POST", "/pools", json=pool_body(name, **body_options))
    assert response.status_code == 200, response.text
    return response.json()


def phase(sandbox, pool_name: str) -> str | None:
    response = call(sandbox, "GET", f"/pools/{pool_name}")
    return response.json()["status"].get("phase") if response.status_code == 200 else None


def all_nodes(sandbox, pool_name: str, limit: int = 500) -> list[dict[str, Any]]:
    items, token = [], None
    while True:
        query = f"?limit={limit}" + (f"&continue={token}" if token else "")
        page = call(sandbox, "GET", f"/pools/{pool_name}/nodes{query}").json()
        items += page["items"]
        token = page["metadata"].get("continue")
        if not token:
            return items
