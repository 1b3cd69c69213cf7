"""A local ModelArts-compatible server for the dedicated-resource-pool operations (the nine, and the changes).

It speaks the API as documented in ``modelarts-api.md`` (paths, shapes, states, errors), verifies
``SDK-HMAC-SHA256`` signatures with ``pools.modelarts.signer``, and imports nothing from Django. The
official ``huaweicloudsdkmodelarts`` client pointed at it with ``with_endpoints([sandbox.url])`` gets the
answers the docs describe.

Modules, one job each:

* ``server``      — ``Sandbox``: start/stop, reset, seed, faults, clock, recorded calls, state inspection
* ``handler``     — HTTP in and out; ``api`` — route, authenticate, faults, run; ``control`` — ``/_sandbox/``
* ``routing``     — the paths and operation names; ``auth`` / ``accounts`` — signatures and projects
* ``validation``  — the CreatePool body; ``flavors`` — the flavor catalog; ``labels`` — ``labelSelector``
* ``model``       — pool/node records and their state machines; ``store`` — state behind a lock
* ``operations``  — pools, nodes, statistics; ``usage`` — runtime metrics; ``monitoring`` — series
* ``scaling``     — PatchPool (scale, edit); ``orders`` — the orders a scale makes; ``tags`` — pool tags;
  ``resource_flavors`` — the flavors on sale, with sold-out zones
* ``node_actions`` — ShowPoolNode, reboot, drain, lock, unlock, reset; ``jobs`` — ListJobs;
  ``workloads`` — ListWorkloads and ShowWorkloadStatistics, derived from the nodes
* ``nodes`` / ``paging`` / ``render`` — node building, ``continue`` tokens, pool objects
* ``events``      — ListEvents, read off the records' timestamps; ``maintenance`` — scheduled events
* ``faults``      — injected failures; ``seed`` — the demo estate; ``persistence`` — the state file
* ``clock``       — system and manual clocks; ``hashing`` — deterministic names and numbers
"""

from pools.sandbox.accounts import DEFAULT_ACCOUNT, DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK, Account
from pools.sandbox.calls import RecordedCall
from pools.sandbox.clock import ManualClock, SystemClock
from pools.sandbox.errors import ApiError
from pools.sandbox.faults import Fault, Faults
from pools.sandbox.flavors import CATALOG as FLAVORS
from pools.sandbox.model import Timings
from pools.sandbox.routing import OPERATIONS
from pools.sandbox.server import Sandbox

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_AK",
    "DEFAULT_PROJECT_ID",
    "DEFAULT_SK",
    "FLAVORS",
    "OPERATIONS",
    "Account",
    "ApiError",
    "Fault",
    "Faults",
    "ManualClock",
    "RecordedCall",
    "Sandbox",
    "SystemClock",
    "Timings",
]
