"""How long the sandbox takes to build a full monitoring answer (1440 points for each of 9 metrics).

Not a test (pytest does not collect it). Run from the repository root:

    .venv/bin/python tests/perf/bench_sandbox_monitor.py [--rounds 5]

Prints the best of N build times per case; the sandbox aims for well under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pools.sandbox import ManualClock, Sandbox, monitoring  # noqa: E402
from tests.fixtures.sandbox import PROJECT_ID, pool_body  # noqa: E402

CASES = [
    ("60", "-1.-1.1440", ("average",)),
    ("3600", "-1.-1.86400", ("maximum",)),
    ("60", "-1.-1.1440", monitoring.STATISTICS),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    sandbox = Sandbox(clock=ManualClock(time.time()), creation_seconds=0)
    body = pool_body("mixed-pool", count=8)
    body["spec"]["resources"].append({"flavor": "modelarts.bm.npu.arm.8snt9b3.d", "count": 8})
    name = sandbox.create_pool(PROJECT_ID, body)["metadata"]["name"]
    sandbox.settle()
    sandbox.advance(70 * 24 * 3600)  # old enough that every point has data

    now = sandbox.clock.now()
    with sandbox.store.lock:
        subject = monitoring.subject_for(sandbox.store.find(PROJECT_ID, name), now)
    sys.stdout.write(
        f"{'period':>7} {'range':>13} {'statistics':>11} {'metrics':>8} {'points':>7} {'best ms':>8} {'bytes':>9}\n"
    )
    for period, time_range, statistics in CASES:
        window = monitoring.parse_time_range(time_range, int(now * 1000))
        timings = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            encoded = monitoring.encode(subject, window, int(period), statistics)
            timings.append(time.perf_counter() - started)
        metrics = json.loads(encoded)["metrics"]
        points = len(metrics[0]["dataPoints"]) if metrics else 0
        sys.stdout.write(
            f"{period:>7} {time_range:>13} {len(statistics):>11} {len(metrics):>8} {points:>7} "
            f"{min(timings) * 1000:>8.1f} {len(encoded):>9}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
