"""``Sandbox``: the local ModelArts server, its state and its knobs, for tests, the demo and the command.

sandbox = Sandbox(accounts=[Account(ak, sk, project_id)], clock=ManualClock())
url = sandbox.start()                 # http://127.0.0.1:<free port>
sandbox.seed_demo(project_id)
sandbox.faults.error(503, count=1)    # the next API request answers 503
sandbox.advance(60)                   # a minute passes: creating pools may now be Running
sandbox.calls("ListPools")            # how many ListPools requests arrived
sandbox.stop()
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pools.sandbox import maintenance, operations, persistence, seed
from pools.sandbox.accounts import DEFAULT_ACCOUNT, Account, AccountBook
from pools.sandbox.auth import DEFAULT_MAX_SKEW_SECONDS
from pools.sandbox.calls import CallLog, RecordedCall
from pools.sandbox.clock import Clock, SystemClock
from pools.sandbox.faults import Fault, Faults
from pools.sandbox.handler import SandboxServer
from pools.sandbox.model import Timings
from pools.sandbox.nodes import render_node
from pools.sandbox.render import render_pool
from pools.sandbox.store import Store

logger = logging.getLogger(__name__)


class Sandbox:
    """A ModelArts-compatible server on loopback.

    ``accounts``: who may call (default: ``DEFAULT_ACCOUNT``). ``clock``: the time pools and nodes evolve
    on (default: the wall clock; tests pass a ``ManualClock``). ``creation_seconds``,
    ``deletion_seconds``, ``node_deletion_seconds``, ``payment_seconds``, ``reboot_seconds``,
    ``reset_seconds`` (one batch of a rolling reset): simulated durations.
    ``max_clock_skew_seconds``: how far ``X-Sdk-Date`` may be from the wall clock. ``state_file``: JSON
    file loaded at construction and rewritten after every change. ``seed``: makes ids and names
    reproducible. ``faults``: rules active from the start.
    """

    def __init__(
        self,
        accounts: Iterable[Account] | None = None,
        *,
        region: str = "cn-north-4",
        creation_seconds: float = 30.0,
        deletion_seconds: float = 20.0,
        node_deletion_seconds: float = 15.0,
        payment_seconds: float = 0.0,
        reboot_seconds: float = 45.0,
        reset_seconds: float = 90.0,
        clock: Clock | None = None,
        max_clock_skew_seconds: float = DEFAULT_MAX_SKEW_SECONDS,
        state_file: str | Path | None = None,
        seed: int = 0,
        faults: Iterable[Fault] = (),
    ) -> None:
        self.accounts = AccountBook([DEFAULT_ACCOUNT] if accounts is None else accounts)
        self.max_clock_skew_seconds = max_clock_skew_seconds
        self.state_file = Path(state_file) if state_file else None
        self._initial_timings = Timings(
            creation_seconds=creation_seconds,
            deletion_seconds=deletion_seconds,
            node_deletion_seconds=node_deletion_seconds,
            payment_seconds=payment_seconds,
            reboot_seconds=reboot_seconds,
            reset_seconds=reset_seconds,
        )
        self.store = Store(
            clock=clock or SystemClock(),
            timings=dataclasses.replace(self._initial_timings),
            region=region,
            seed=seed,
            on_change=self._save if self.state_file else None,
        )
        self.faults = Faults(seed)
        for fault in faults:
            self.faults.add(fault)
        self._calls = CallLog()
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        if self.state_file:
            saved = persistence.load(self.state_file)
            if saved is not None:
                self.store.load_json(saved)

    # --- serving -----------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; returns the base URL (``port=0`` picks a free port)."""
        if self._server is not None:
            raise RuntimeError("the sandbox is already running")
        self._server = SandboxServer((host, port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="modelarts-sandbox",
            daemon=True,
        )
        self._thread.start()
        logger.info("ModelArts sandbox listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- state -------------------------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The time pools and nodes evolve on (a ``ManualClock`` in tests: ``sandbox.clock.set(...)``)."""
        return self.store.clock

    @property
    def timings(self) -> Timings:
        """The simulated durations; change them at will (``sandbox.timings.creation_seconds = 5``)."""
        return self.store.timings

    @property
    def region(self) -> str:
        return self.store.region

    def add_account(self, account: Account) -> None:
        self.accounts.add(account)

    def reset(self) -> None:
        """Forget every pool, fault and recorded call; timings go back to their start values."""
        with self.store.lock:
            self.store.clear()
            self.store.timings = dataclasses.replace(self._initial_timings)
            self.store.changed()
        self.faults.clear()
        self._calls.clear()

    def seed_demo(self, project_id: str | None = None) -> list[str]:
        """Add the demo estate to a project (default: every account's project); returns the new pool ids."""
        projects = [project_id] if project_id else self.accounts.project_ids()
        return [name for project in projects for name in seed.seed_demo(self.store, project)]

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of sandbox time pass (works with both clocks)."""
        self.clock.advance(seconds)

    def settle(self) -> None:
        """Advance past every pending transition started so far (creation, payment, deletions, reboots and
        resets)."""
        timings = self.timings
        self.advance(
            timings.payment_seconds
            + timings.creation_seconds
            + max(timings.deletion_seconds, timings.node_deletion_seconds)
            + max(timings.reboot_seconds, self._longest_node_job())
            + 1
        )

    def _longest_node_job(self) -> float:
        """How long the last node job started so far still runs (a rolling reset spans several batches)."""
        with self.store.lock:
            now = self.store.now()
            ends = [job["ends"] for pools in self.store.all_pools() for job in pools.jobs]
        return max([end - now for end in ends] + [0.0])

    def create_pool(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """CreatePool without HTTP (test set-up); the body is the API's JSON, faults for creates apply."""
        return operations.create_pool(
            self.store,
            project_id,
            json.dumps(body).encode("utf-8"),
            should_fail=self.faults.take_create_failure,
        )

    def pools(self, project_id: str) -> list[dict[str, Any]]:
        """Every pool of the project, as ListPools would return it now."""
        with self.store.lock:
            now = self.store.now()
            return [render_pool(pool, now) for pool in self.store.project_pools(project_id)]

    def pool(self, project_id: str, pool_name: str) -> dict[str, Any]:
        """One pool as ShowPool would return it now (``ApiError`` 404 if there is none)."""
        return operations.show_pool(self.store, project_id, pool_name)

    def nodes(self, project_id: str, pool_name: str) -> list[dict[str, Any]]:
        """Every node of the pool that exists now, as ListPoolNodes renders them, by name."""
        with self.store.lock:
            pool = self.store.find(project_id, pool_name)
            return [render_node(node, phase, pool) for node, phase in pool.live_nodes(self.store.now())]

    def scheduled_events(self, project_id: str, **query: str) -> list[dict[str, Any]]:
        """The project's scheduled events as ListScheduledEvents would list them now (``query`` as its own,
        e.g. ``state="inquiring"``; workspace "0" unless ``workspaceId`` says otherwise)."""
        return maintenance.list_scheduled_events(self.store, project_id, query)["events"]

    # --- recorded calls ----------------------------------------------------------------------------------

    def record_call(self, call: RecordedCall) -> None:
        self._calls.record(call)

    def calls(self, operation: str | None = None) -> int:
        """How many API requests arrived for ``operation`` (e.g. ``"ListPools"``), or in all."""
        return self._calls.count(operation)

    def call_log(self, operation: str | None = None) -> list[RecordedCall]:
        return self._calls.calls(operation)

    def call_counts(self) -> dict[str, int]:
        return self._calls.counts()

    def clear_calls(self) -> None:
        self._calls.clear()

    # --- persistence -------------------------------------------------------------------------------------

    def _save(self, store: Store) -> None:
        persistence.save(self.state_file, store.to_json())
