"""The sandbox's state: pools per project, behind one lock.

Everything that reads or changes pools holds ``store.lock``. Records whose time is up (removed pools and
nodes) are forgotten lazily when a project is looked at. ``changed()`` is called after every mutation; the
sandbox hooks the state file's writer onto it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pools.sandbox import errors, hashing
from pools.sandbox.clock import Clock
from pools.sandbox.model import GONE, PoolRecord, Timings

STATE_VERSION = 1


def availability_zones(region: str) -> tuple[str, ...]:
    return (f"{region}a", f"{region}b", f"{region}c")


def domain_id_for(project_id: str) -> str:
    """The (simulated) account that owns a project."""
    return hashing.hex32("domain", project_id)


class Store:
    def __init__(
        self,
        *,
        clock: Clock,
        timings: Timings,
        region: str = "cn-north-4",
        seed: int = 0,
        on_change: Callable[[Store], None] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.timings = timings
        self.region = region
        self.seed = seed
        self.on_change = on_change
        self.sequence = 0
        self._pools: dict[str, dict[str, PoolRecord]] = {}
        # Flavor id -> its sold-out zones; None until resource_flavors.py fills in its defaults.
        self.sold_out: dict[str, set[str]] | None = None

    @property
    def azs(self) -> tuple[str, ...]:
        return availability_zones(self.region)

    def now(self) -> float:
        return self.clock.now()

    def next_sequence(self) -> int:
        with self.lock:
            self.sequence += 1
            return self.sequence

    def project_pools(self, project_id: str) -> list[PoolRecord]:
        """The project's pools that still exist, oldest first."""
        with self.lock:
            now = self.now()
            pools = self._pools.get(project_id, {})
            for name in [name for name, pool in pools.items() if pool.phase(now) == GONE]:
                del pools[name]
            for pool in pools.values():
                pool.forget_removed_nodes(now)
            return sorted(pools.values(), key=lambda pool: (pool.created_at, pool.sequence))

    def find(self, project_id: str, pool_name: str) -> PoolRecord:
        """The pool, or ``ApiError`` 404 ``ModelArts.50015001``."""
        with self.lock:
            for pool in self.project_pools(project_id):
                if pool.name == pool_name:
                    return pool
        raise errors.pool_not_found()

    def all_pools(self) -> list[PoolRecord]:
        """Every pool record of every project, as stored (removed ones included until forgotten)."""
        with self.lock:
            return [pool for pools in self._pools.values() for pool in pools.values()]

    def add(self, pool: PoolRecord) -> None:
        with self.lock:
            self._pools.setdefault(pool.project_id, {})[pool.name] = pool

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def clear(self) -> None:
        with self.lock:
            self._pools.clear()
            self.sequence = 0
            self.sold_out = None

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "region": self.region,
                "sequence": self.sequence,
                "pools": [pool.to_json() for pools in self._pools.values() for pool in pools.values()],
            }

    def load_json(self, data: dict[str, Any]) -> None:
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported state file version {data.get('version')!r}")
        with self.lock:
            self.clear()
            self.sequence = int(data.get("sequence", 0))
            for item in data.get("pools", []):
                self.add(PoolRecord.from_json(item))
