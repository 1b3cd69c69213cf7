"""The sandbox builds a full monitoring answer (1440 points for each of 9 metrics) well under 100 ms."""

import json
import time

import pytest

from pools.sandbox import monitoring
from tests.fixtures.sandbox import PROJECT_ID, pool_body

BUDGET_SECONDS = 0.1


@pytest.fixture
def mixed_pool(sandbox):
    """A pool with GPU and NPU flavors, so it reports all nine metrics, running for 70 days."""
    body = pool_body("mixed-pool", count=8)
    body["spec"]["resources"].append({"flavor": "modelarts.bm.npu.arm.8snt9b3.d", "count": 8})
    name = sandbox.create_pool(PROJECT_ID, body)["metadata"]["name"]
    sandbox.settle()
    sandbox.advance(70 * 24 * 3600)
    return name


@pytest.mark.parametrize(
    ("period", "time_range", "statistics"),
    [
        ("60", "-1.-1.1440", ("average",)),
        ("3600", "-1.-1.86400", ("maximum",)),
        ("60", "-1.-1.1440", monitoring.STATISTICS),
    ],
)
def test_a_full_answer_builds_well_under_100_ms(sandbox, mixed_pool, period, time_range, statistics):
    now = sandbox.clock.now()
    with sandbox.store.lock:
        subject = monitoring.subject_for(sandbox.store.find(PROJECT_ID, mixed_pool), now)
    window = monitoring.parse_time_range(time_range, int(now * 1000))

    timings = []
    for _ in range(5):  # best of five: the machine is shared, the code is what is measured
        started = time.perf_counter()
        body = monitoring.encode(subject, window, int(period), statistics)
        timings.append(time.perf_counter() - started)

    metrics = json.loads(body)["metrics"]
    assert len(metrics) == 9
    assert all(len(metric["dataPoints"]) == 1440 for metric in metrics)
    assert min(timings) < BUDGET_SECONDS, f"best of five took {min(timings) * 1000:.1f} ms"
