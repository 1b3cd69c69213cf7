"""ListJobs: the asynchronous jobs node actions start (``reboot-node``, ``reset-nodes``; ``replace-node`` is
known but the sandbox never starts one).

A job is a plain record in its pool (``PoolRecord.jobs``): its id, type, the nodes it works on, when it started
and when its last node is back. Its phase follows from the clock: ``Running`` until then, ``Success`` after.
Times on the wire are epoch milliseconds; ``inputs`` and ``involvedObjects`` are JSON text, as the SDK types
them (strings). **Sandbox**: newest first; ``limit`` 0 or absent means 100, at most 500; ``since`` defaults
to 30 days ago; a job of a deleted pool is gone with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pools.sandbox import errors, hashing
from pools.sandbox.model import PoolRecord
from pools.sandbox.store import Store

REBOOT_NODE = "reboot-node"
RESET_NODES = "reset-nodes"
REPLACE_NODE = "replace-node"
TYPES = (REPLACE_NODE, REBOOT_NODE, RESET_NODES)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
THIRTY_DAYS_MS = 30 * 86400 * 1000


def start_job(
    pool: PoolRecord, kind: str, node_names: list[str], *, started: float, ends: float, inputs: dict
) -> str:
    """Record a job in the pool; returns its id."""
    job_id = hashing.uuid_of("job", pool.name, kind, len(pool.jobs), started, *node_names)
    pool.jobs.append(
        {
            "id": job_id,
            "type": kind,
            "nodes": list(node_names),
            "started": started,
            "ends": ends,
            "inputs": inputs,
        }
    )
    return job_id


def render_job(pool: PoolRecord, job: dict[str, Any], now: float) -> dict[str, Any]:
    done = now >= job["ends"]
    return {
        "startTimestamp": int(job["started"] * 1000),
        "endTimestamp": int(job["ends"] * 1000) if done else 0,
        "jobId": job["id"],
        "jobName": f"{job['type']}-{job['id'][:8]}",
        "involvedObjects": json.dumps({"kind": "Pool", "name": pool.name, "nodes": job["nodes"]}),
        "inputs": json.dumps(job["inputs"]),
        "phase": "Success" if done else "Running",
        "suspend": False,
        "type": job["type"],
        "conditions": json.dumps([{"type": "Complete" if done else "Running", "status": "True"}]),
        "message": "",
    }


def _number(query: Mapping[str, str], name: str, default: int, maximum: int | None = None) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or (maximum is not None and int(text) > maximum):
        bound = f" up to {maximum}" if maximum is not None else ""
        raise errors.bad_request(f"{name}: must be a whole number{bound}")
    return int(text)


def list_jobs(store: Store, project_id: str, query: Mapping[str, str]) -> dict:
    kind = query.get("type")
    if kind is not None and kind not in TYPES:
        raise errors.bad_request(f"type: must be one of {', '.join(TYPES)}")
    resource, name = query.get("resource"), query.get("name")
    if resource is not None and resource != "pools":
        raise errors.bad_request("resource: must be pools")
    limit = _number(query, "limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
    offset = _number(query, "offset", 0)
    with store.lock:
        now = store.now()
        now_ms = int(now * 1000)
        since = _number(query, "since", now_ms - THIRTY_DAYS_MS)
        until = _number(query, "until", now_ms)
        found = [
            (job["started"], render_job(pool, job, now))
            for pool in store.project_pools(project_id)
            if name is None or pool.name == name
            for job in pool.jobs
            if (kind is None or job["type"] == kind) and since <= int(job["started"] * 1000) <= until
        ]
    found.sort(key=lambda pair: pair[0], reverse=True)
    items = [item for _, item in found]
    return {"count": len(items), "items": items[offset : offset + limit]}
