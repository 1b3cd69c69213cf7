"""ShowPoolMonitor: deterministic, lifelike usage series per pool and metric (API reference §5.5).

Query rules:

* ``time_range`` is ``start.end.minutes`` in epoch milliseconds (default ``-1.-1.60``). Start ``-1``: the
  window ends at ``end`` and lasts ``minutes``; end ``-1``: it starts at ``start`` and lasts ``minutes``,
  cut at now; both ``-1``: the last ``minutes`` up to now. With both ends given the window is start..end
  (cut at now) and both it and ``minutes`` must respect the point limit. Anything else answers 400.
* ``period`` is 60, 300, 900 or 3600 seconds (default 60); ``minutes × 60 / period`` may not exceed 1440.
* ``statistics`` is one of maximum, minimum, sum, average, sampleCount (default maximum), or several of
  them separated by commas; every data point then lists each, mutually consistent
  (minimum ≤ average ≤ maximum, sum = average × sampleCount).

Data points start at period boundaries (epoch multiples of the period). A bucket's samples are the whole
minutes in it while the pool was running; a bucket without any (before the pool ran, after it was
deleted, or a pool that never ran) reports ``-1`` for every statistic. Percent metrics follow a daily and a
weekly cycle plus noise that shrinks as buckets grow; disk usage creeps up and is cleaned up monthly;
``diskCapacity``/``diskAvailableCapacity`` are in Megabytes and agree with ``diskUsedRate``.
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass

from pools.sandbox import errors, hashing
from pools.sandbox.flavors import GPU, NPU, flavor
from pools.sandbox.model import PoolRecord
from pools.sandbox.store import Store

PERIODS = (60, 300, 900, 3600)
STATISTICS = ("maximum", "minimum", "sum", "average", "sampleCount")
MAX_POINTS = 1440
DEFAULT_TIME_RANGE = "-1.-1.60"
DEFAULT_PERIOD = "60"
DEFAULT_STATISTICS = "maximum"
NO_DATA = -1
NAMESPACE = "PAAS.AGGR"
PERCENT = "Percent"
MEGABYTES = "Megabytes"
MINUTE_MS = 60_000
TAU = 2 * math.pi

_TIME_RANGE = re.compile(r"(-1|[0-9]{1,15})\.(-1|[0-9]{1,15})\.([0-9]{1,9})")


@dataclass(frozen=True)
class Window:
    start_ms: int
    end_ms: int
    duration_minutes: int


@dataclass(frozen=True)
class Profile:
    """A percent metric's shape: base level range, daily and weekly swing, per-minute noise."""

    low: float
    high: float
    daily: float
    weekly: float
    noise: float


PROFILES = {
    "cpuUsage": Profile(20, 55, 10, 4, 8),
    "memUsedRate": Profile(35, 70, 5, 3, 3),
    "gpuUtil": Profile(40, 80, 12, 5, 10),
    "gpuMemUsage": Profile(35, 75, 8, 4, 5),
    "npuUtil": Profile(45, 85, 10, 5, 9),
    "npuMemUsage": Profile(40, 80, 7, 4, 5),
}
DISK_USED = "diskUsedRate"
DISK_CAPACITY = "diskCapacity"
DISK_AVAILABLE = "diskAvailableCapacity"
DISK_PROFILE = Profile(15, 35, 0, 0, 0.3)


@dataclass(frozen=True)
class Subject:
    """What the series of one pool depend on, copied out of the store so they build without the lock."""

    pool_name: str
    cluster_id: str
    since_ms: int | None  # when the pool started running; None if it never did
    until_ms: int | None  # when its deletion began
    kinds: frozenset[str]
    disk_capacity_mb: float

    @property
    def metric_names(self) -> list[str]:
        names = ["cpuUsage", "memUsedRate"]
        if GPU in self.kinds:
            names += ["gpuUtil", "gpuMemUsage"]
        if NPU in self.kinds:
            names += ["npuUtil", "npuMemUsage"]
        return [*names, DISK_USED, DISK_CAPACITY, DISK_AVAILABLE]


def subject_for(pool: PoolRecord, now: float) -> Subject:
    since = pool.running_since()
    live = pool.live_nodes(now) or [(node, "") for node in pool.nodes]
    return Subject(
        pool_name=pool.name,
        cluster_id=hashing.uuid_of("cluster", pool.name),
        since_ms=None if since is None else int(since * 1000),
        until_ms=None if pool.deleted_at is None else int(pool.deleted_at * 1000),
        kinds=frozenset(flavor(resource["flavor"]).kind for resource in pool.spec["resources"]),
        disk_capacity_mb=float(sum(flavor(node.flavor).disk_gib * 1024 for node, _ in live)),
    )


def parse_time_range(text: str, now_ms: int) -> Window:
    found = _TIME_RANGE.fullmatch(text)
    if not found:
        raise errors.bad_request(
            "time_range: must be startMillis.endMillis.durationMinutes, with -1 for an open end, e.g. -1.-1.60"
        )
    start, end, duration = (int(part) for part in found.groups())
    if duration <= 0:
        raise errors.bad_request("time_range: the duration must be at least 1 minute")
    span = duration * MINUTE_MS
    if start == -1 and end == -1:
        start, end = now_ms - span, now_ms
    elif start == -1:
        start = end - span
    elif end == -1:
        end = start + span
    elif end <= start:
        raise errors.bad_request("time_range: the end must be after the start")
    return Window(start, min(end, now_ms), duration)


def parse_period(text: str) -> int:
    if text not in {str(period) for period in PERIODS}:
        raise errors.bad_request(f"period: must be one of {', '.join(str(p) for p in PERIODS)}")
    return int(text)


def parse_statistics(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(item.strip() for item in text.split(",")))
    if not chosen or any(item not in STATISTICS for item in chosen):
        raise errors.bad_request(f"statistics: must be one of {', '.join(STATISTICS)}")
    return chosen


def check_point_limit(window: Window, period: int) -> None:
    minutes = max(window.duration_minutes, -(-(window.end_ms - window.start_ms) // MINUTE_MS))
    if minutes * 60 > MAX_POINTS * period:
        points = minutes * 60 / period
        raise errors.bad_request(
            f"time_range: {minutes} minutes at a period of {period} s would be {points:g} data points; "
            f"at most {MAX_POINTS} are allowed (duration x 60 / period <= {MAX_POINTS})"
        )


def _buckets(subject: Subject, window: Window, period: int) -> list[tuple[int, int, float]]:
    """(timestamp, sample count, middle in minutes) per data point."""
    period_ms = period * 1000
    first = -(-window.start_ms // period_ms) * period_ms
    since = None if subject.since_ms is None else -(-subject.since_ms // MINUTE_MS) * MINUTE_MS
    until = window.end_ms if subject.until_ms is None else min(window.end_ms, subject.until_ms)
    buckets = []
    for timestamp in range(first, window.end_ms, period_ms):
        if since is None:
            buckets.append((timestamp, 0, 0.0))
            continue
        low, high = max(timestamp, since), min(timestamp + period_ms, until)
        count = (high - low + MINUTE_MS - 1) // MINUTE_MS if high > low else 0
        buckets.append((timestamp, count, (low + high) / 2 / MINUTE_MS))
    return buckets


# One data point: timestamp, then the statistics in STATISTICS order (maximum, minimum, sum, average,
# sampleCount); a point without data carries NO_DATA in every statistic.
Row = tuple[int, float, float, float, float, int]
_MASK = (1 << 64) - 1


def _no_data(timestamp: int) -> Row:
    return (timestamp, NO_DATA, NO_DATA, NO_DATA, NO_DATA, NO_DATA)


def _percent_series(seed: int, profile: Profile, buckets: list, period: int, sawtooth: bool) -> list[Row]:
    """The hot loop of the monitor: kept flat (no helper calls, the splitmix64 finaliser written out)."""
    base = profile.low + (profile.high - profile.low) * hashing.fraction(seed, "base")
    daily_phase, weekly_phase = hashing.fraction(seed, "day"), hashing.fraction(seed, "week")
    daily, weekly, noise = profile.daily, profile.weekly, profile.noise
    sin, sqrt, log = math.sin, math.sqrt, math.log
    salt = (seed ^ period) & _MASK
    rows: list[Row] = []
    append = rows.append
    for timestamp, count, middle in buckets:
        if not count:
            append(_no_data(timestamp))
            continue
        if sawtooth:  # disk fills up by about 0.8 points a day and is cleaned up every 30 days
            level = base + 0.8 * ((middle / 1440 + daily_phase * 30) % 30)
        else:
            level = base + daily * sin(TAU * (middle / 1440 + daily_phase))
            level += weekly * sin(TAU * (middle / 10080 + weekly_phase))
        bits = ((salt ^ (timestamp // MINUTE_MS)) + 0x9E3779B97F4A7C15) & _MASK
        bits = ((bits ^ (bits >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        bits = ((bits ^ (bits >> 27)) * 0x94D049BB133111EB) & _MASK
        bits ^= bits >> 31
        spread, tilt = (bits & 0xFFFFFFFF) / 4294967296.0, (bits >> 32) / 4294967296.0
        average = level + (spread - 0.5) * 2 * noise / sqrt(count)
        average = 0.0 if average < 0.0 else 100.0 if average > 100.0 else average
        # Rounded to 2 decimals as int(x * 100 + 0.5) / 100: values are never negative, and the built-in
        # round(x, 2) would be the slowest step of the whole answer.
        if count == 1:
            average = int(average * 100 + 0.5) / 100
            append((timestamp, average, average, average, average, 1))
            continue
        reach = noise * 0.5 * (1 + log(count))
        highest = average + reach * (0.3 + 0.7 * tilt)
        lowest = average - reach * (1.0 - 0.7 * tilt)
        average = int(average * 100 + 0.5) / 100
        append(
            (
                timestamp,
                int((100.0 if highest > 100.0 else highest) * 100 + 0.5) / 100,
                int((0.0 if lowest < 0.0 else lowest) * 100 + 0.5) / 100,
                int(average * count * 100 + 0.5) / 100,
                average,
                count,
            )
        )
    return rows


def _disk_series(capacity_mb: float, used: list[Row]) -> tuple[list[Row], list[Row]]:
    """Capacity and free space, consistent with the used-rate rows."""
    capacity, available = [], []
    for timestamp, highest, lowest, _, average, count in used:
        if count == NO_DATA:
            capacity.append(_no_data(timestamp))
            available.append(_no_data(timestamp))
            continue
        capacity.append((timestamp, capacity_mb, capacity_mb, capacity_mb * count, capacity_mb, count))
        free = int(capacity_mb * (100 - average) + 0.5) / 100
        available.append(
            (
                timestamp,
                int(capacity_mb * (100 - lowest) + 0.5) / 100,
                int(capacity_mb * (100 - highest) + 0.5) / 100,
                int(free * count * 100 + 0.5) / 100,
                free,
                count,
            )
        )
    return capacity, available


def _computed(subject: Subject, window: Window, period: int) -> dict[str, list[Row]]:
    buckets = _buckets(subject, window, period)
    computed: dict[str, list[Row]] = {}
    for name in subject.metric_names:
        if name in PROFILES:
            seed = hashing.seed_of(subject.pool_name, name)
            computed[name] = _percent_series(seed, PROFILES[name], buckets, period, sawtooth=False)
    disk_seed = hashing.seed_of(subject.pool_name, DISK_USED)
    computed[DISK_USED] = _percent_series(disk_seed, DISK_PROFILE, buckets, period, sawtooth=True)
    computed[DISK_CAPACITY], computed[DISK_AVAILABLE] = _disk_series(
        subject.disk_capacity_mb, computed[DISK_USED]
    )
    return computed


def encode(subject: Subject, window: Window, period: int, statistics: tuple[str, ...]) -> bytes:
    """The ShowPoolMonitor body as JSON bytes.

    Written with one %-template per metric rather than through dicts and ``json.dumps``: a full answer
    (1440 points x 9 metrics) is ~13,000 data points, and this keeps it to a few tens of milliseconds. Every
    string in a template is a fixed identifier or a JSON-encoded value, and numbers are finite, so the
    text is valid JSON.
    """
    computed = _computed(subject, window, period)
    pick = operator.itemgetter(0, *(1 + STATISTICS.index(statistic) for statistic in statistics))
    dimensions = json.dumps([{"name": "clusterId", "value": subject.cluster_id}])
    parts = []
    for name in subject.metric_names:
        unit = MEGABYTES if name in (DISK_CAPACITY, DISK_AVAILABLE) else PERCENT
        values = ", ".join(f'{{"statistic": "{statistic}", "value": %r}}' for statistic in statistics)
        template = f'{{"timestamp": %d, "unit": "{unit}", "statistics": [{values}]}}'
        points = ", ".join([template % pick(row) for row in computed[name]])
        metric = json.dumps({"dimensions": "", "metricName": name, "namespace": NAMESPACE})
        metric = metric.replace('"dimensions": ""', f'"dimensions": {dimensions}', 1)
        parts.append(f'{{"metric": {metric}, "dataPoints": [{points}]}}')
    return f'{{"metrics": [{", ".join(parts)}]}}'.encode()


def pool_monitor(store: Store, project_id: str, pool_name: str, query: dict[str, str]) -> bytes:
    """ShowPoolMonitor: checks the query, copies what the series need under the lock, builds outside it."""
    now = store.now()
    window = parse_time_range(query.get("time_range", DEFAULT_TIME_RANGE), int(now * 1000))
    period = parse_period(query.get("period", DEFAULT_PERIOD))
    statistics = parse_statistics(query.get("statistics", DEFAULT_STATISTICS))
    check_point_limit(window, period)
    with store.lock:
        subject = subject_for(store.find(project_id, pool_name), now)
    return encode(subject, window, period, statistics)
