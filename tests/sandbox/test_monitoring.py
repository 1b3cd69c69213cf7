"""ShowPoolMonitor: time ranges, periods, statistics, the 1440-point rule and the shape of the series."""

import pytest

from tests.fixtures.sandbox import PROJECT_ID
from tests.sandbox.helpers import call, create

MINUTE = 60_000
HOUR = 60 * MINUTE
GPU_METRICS = [
    "cpuUsage",
    "memUsedRate",
    "gpuUtil",
    "gpuMemUsage",
    "diskUsedRate",
    "diskCapacity",
    "diskAvailableCapacity",
]


@pytest.fixture
def gpu_pool(sandbox):
    """A T4 pool that has been running for two days."""
    name = create(sandbox, count=4)["metadata"]["name"]
    sandbox.settle()
    sandbox.advance(2 * 24 * 3600)
    return name


def now_ms(sandbox):
    return int(sandbox.clock.now() * 1000)


def monitor(sandbox, pool, query=""):
    response = call(sandbox, "GET", f"/pools/{pool}/monitor{query}")
    assert response.status_code == 200, response.text
    return response.json()["metrics"]


def values(metric, statistic):
    return [
        next(item["value"] for item in point["statistics"] if item["statistic"] == statistic)
        for point in metric["dataPoints"]
    ]


def test_default_is_the_last_hour_by_minute_maximum(sandbox, gpu_pool):
    metrics = monitor(sandbox, gpu_pool)

    assert [metric["metric"]["metricName"] for metric in metrics] == GPU_METRICS
    for metric in metrics:
        assert metric["metric"]["namespace"] == "PAAS.AGGR"
        assert metric["metric"]["dimensions"][0]["name"] == "clusterId"
        points = metric["dataPoints"]
        assert len(points) == 60
        assert all(point["timestamp"] % MINUTE == 0 for point in points)
        assert [p["timestamp"] for p in points] == sorted(p["timestamp"] for p in points)
        assert all([item["statistic"] for item in point["statistics"]] == ["maximum"] for point in points)
    units = {metric["metric"]["metricName"]: metric["dataPoints"][0]["unit"] for metric in metrics}
    assert units["cpuUsage"] == "Percent"
    assert units["diskCapacity"] == units["diskAvailableCapacity"] == "Megabytes"


def test_npu_pools_report_npu_metrics(sandbox):
    name = create(sandbox, flavor="modelarts.bm.npu.arm.8snt9b3.d", count=1)["metadata"]["name"]
    sandbox.settle()

    names = [metric["metric"]["metricName"] for metric in monitor(sandbox, name)]

    assert "npuUtil" in names and "npuMemUsage" in names
    assert "gpuUtil" not in names


def test_cpu_pools_report_no_accelerator_metrics(sandbox):
    name = create(sandbox, flavor="modelarts.vm.cpu.8ud", count=1)["metadata"]["name"]

    names = [metric["metric"]["metricName"] for metric in monitor(sandbox, name)]

    assert names == ["cpuUsage", "memUsedRate", "diskUsedRate", "diskCapacity", "diskAvailableCapacity"]


@pytest.mark.parametrize(
    ("period", "minutes", "points"),
    [(60, 1440, 1440), (300, 7200, 1440), (900, 21600, 1440), (3600, 86400, 1440), (300, 60, 12)],
)
def test_each_period_is_aligned_and_counted(sandbox, gpu_pool, period, minutes, points):
    sandbox.advance(60 * 24 * 3600)  # old enough to have data for every span
    end = now_ms(sandbox) // (period * 1000) * (period * 1000)

    metrics = monitor(sandbox, gpu_pool, f"?period={period}&time_range=-1.{end}.{minutes}")

    stamps = [point["timestamp"] for point in metrics[0]["dataPoints"]]
    assert len(stamps) == points
    assert all(stamp % (period * 1000) == 0 for stamp in stamps)
    assert all(b - a == period * 1000 for a, b in zip(stamps, stamps[1:], strict=False))
    assert stamps[-1] == end - period * 1000


@pytest.mark.parametrize(("period", "minutes"), [(60, 1441), (300, 7201), (900, 21601), (3600, 86401)])
def test_more_than_1440_points_is_a_bad_request(sandbox, gpu_pool, period, minutes):
    response = call(sandbox, "GET", f"/pools/{gpu_pool}/monitor?period={period}&time_range=-1.-1.{minutes}")

    assert response.status_code == 400
    assert response.json()["error_code"] == "ModelArts.50004000"
    assert "1440" in response.json()["error_msg"]


def test_a_window_wider_than_its_duration_also_counts(sandbox, gpu_pool):
    end = now_ms(sandbox)

    response = call(sandbox, "GET", f"/pools/{gpu_pool}/monitor?time_range={end - 1441 * MINUTE}.{end}.60")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "time_range",
    [
        "",
        "-1.-1",
        "-1.-1.0",
        "-1.-1.-5",
        "a.b.c",
        "-2.-1.60",
        "-1.-1.60.1",
        "1.2.3x",
        "5000.4000.60",
        "-1.-1.1e3",
    ],
)
def test_a_malformed_time_range_is_a_bad_request(sandbox, gpu_pool, time_range):
    response = call(sandbox, "GET", f"/pools/{gpu_pool}/monitor?time_range={time_range}")

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith("time_range: ")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=120", "period"),
        ("period=", "period"),
        ("statistics=median", "statistics"),
        ("statistics=average%2Cmode", "statistics"),
    ],
)
def test_bad_period_or_statistics_is_a_bad_request(sandbox, gpu_pool, query, field):
    response = call(sandbox, "GET", f"/pools/{gpu_pool}/monitor?{query}")

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith(f"{field}: ")


def test_the_time_range_rules_for_open_ends(sandbox, gpu_pool):
    now = now_ms(sandbox)
    start = now - 3 * HOUR

    open_end = monitor(sandbox, gpu_pool, f"?time_range={start}.-1.60")[0]["dataPoints"]
    open_start = monitor(sandbox, gpu_pool, f"?time_range=-1.{start + HOUR}.60")[0]["dataPoints"]
    both = monitor(sandbox, gpu_pool, f"?time_range={start}.{start + HOUR}.60")[0]["dataPoints"]
    past_now = monitor(sandbox, gpu_pool, f"?time_range={now - 30 * MINUTE}.-1.60")[0]["dataPoints"]

    assert open_end == open_start == both
    assert open_end[0]["timestamp"] == -(-start // MINUTE) * MINUTE
    assert len(past_now) == 30  # the end is cut at now


@pytest.mark.parametrize("period", [60, 300, 3600])
def test_statistics_are_mutually_consistent(sandbox, gpu_pool, period):
    metrics = monitor(
        sandbox,
        gpu_pool,
        f"?period={period}&time_range=-1.-1.1440&statistics=maximum,minimum,sum,average,sampleCount",
    )

    for metric in metrics:
        points = metric["dataPoints"]
        for index, point in enumerate(points):
            stats = {item["statistic"]: item["value"] for item in point["statistics"]}
            if index < len(points) - 1:
                assert stats["sampleCount"] == period // 60
            else:  # the bucket now is in may be partly over
                assert 1 <= stats["sampleCount"] <= period // 60
            assert stats["minimum"] <= stats["average"] <= stats["maximum"]
            assert stats["sum"] == pytest.approx(stats["average"] * stats["sampleCount"], abs=0.01)
            if point["unit"] == "Percent":
                assert 0 <= stats["minimum"] and stats["maximum"] <= 100


def test_each_statistic_alone_matches_the_combined_answer(sandbox, gpu_pool):
    query = "?period=300&time_range=-1.-1.600"
    combined = monitor(sandbox, gpu_pool, query + "&statistics=maximum,minimum,sum,average,sampleCount")

    for statistic in ("maximum", "minimum", "sum", "average", "sampleCount"):
        alone = monitor(sandbox, gpu_pool, f"{query}&statistics={statistic}")
        assert [values(metric, statistic) for metric in alone] == [values(m, statistic) for m in combined]


def test_disk_metrics_agree_with_each_other(sandbox, gpu_pool):
    metrics = {m["metric"]["metricName"]: m for m in monitor(sandbox, gpu_pool, "?statistics=average")}

    capacity = values(metrics["diskCapacity"], "average")
    used = values(metrics["diskUsedRate"], "average")
    available = values(metrics["diskAvailableCapacity"], "average")

    assert set(capacity) == {4 * 200 * 1024}
    for total, rate, free in zip(capacity, used, available, strict=True):
        assert free == pytest.approx(total * (1 - rate / 100), abs=0.01)


def test_series_are_deterministic_and_lifelike(sandbox, gpu_pool):
    query = "?statistics=average&time_range=-1.-1.1440"
    first = monitor(sandbox, gpu_pool, query)
    again = monitor(sandbox, gpu_pool, query)

    assert first == again
    cpu = values(first[0], "average")
    assert len(set(cpu)) > 100  # it moves
    assert max(cpu) - min(cpu) > 5
    assert max(abs(b - a) for a, b in zip(cpu, cpu[1:], strict=False)) < 30  # but does not jump about


def test_no_data_before_the_pool_ran(sandbox):
    name = create(sandbox)["metadata"]["name"]
    assert all(value == -1 for metric in monitor(sandbox, name) for value in values(metric, "maximum"))
    sandbox.advance(30 + 10 * 60)  # running for ten minutes

    cpu = monitor(sandbox, name, "?statistics=maximum,sampleCount")[0]

    maxima, counts = values(cpu, "maximum"), values(cpu, "sampleCount")
    assert maxima[:50] == [-1] * 50 and counts[:50] == [-1] * 50
    assert all(value >= 0 for value in maxima[50:])
    assert counts[50:] == [1] * 10


def test_a_partly_covered_bucket_counts_only_its_minutes(sandbox):
    name = create(sandbox)["metadata"]["name"]
    sandbox.advance(30)
    running_from = now_ms(sandbox)
    sandbox.advance(3 * 3600)

    points = monitor(sandbox, name, "?period=3600&time_range=-1.-1.600&statistics=sampleCount")[0][
        "dataPoints"
    ]

    counts = [point["statistics"][0]["value"] for point in points if point["statistics"][0]["value"] != -1]
    first_bucket = -(-running_from // MINUTE) * MINUTE
    assert sum(counts) == -(-(now_ms(sandbox) - first_bucket) // MINUTE)  # the minute marks up to now
    assert counts[1:-1] == [60] * (len(counts) - 2)


def test_monitoring_an_unknown_pool_is_not_found(sandbox):
    response = call(sandbox, "GET", "/pools/pool-nothing-00000000000000000000000000000000/monitor")

    assert response.status_code == 404


def test_a_failed_pool_has_no_data(sandbox):
    sandbox.faults.fail_next_creates(1)
    name = create(sandbox)["metadata"]["name"]
    sandbox.advance(3600)

    assert all(value == -1 for metric in monitor(sandbox, name) for value in values(metric, "maximum"))


def test_pools_differ(seeded_sandbox):
    pools = [pool["metadata"]["name"] for pool in seeded_sandbox.pools(PROJECT_ID)][:2]

    first, second = (
        values(monitor(seeded_sandbox, pool, "?statistics=average")[0], "average") for pool in pools
    )

    assert first != second
