"""The monitor time range: its text form, the -1 rules, strict parsing and the 1440-point rule."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from pools.modelarts.timerange import (
    MAX_POINTS,
    PERIODS,
    TimeRange,
    TimeRangeError,
    check_period,
    smallest_valid_period,
)

START = datetime(2025, 1, 1, 8, 0, 0, tzinfo=UTC)
START_MS = 1735718400000
NOW_MS = START_MS + 10 * 60_000


def test_text_form_is_start_end_minutes():
    assert str(TimeRange(START_MS, START_MS + 3_600_000, 60)) == "1735718400000.1735722000000.60"
    assert str(TimeRange.last(60)) == "-1.-1.60"


def test_between_uses_epoch_milliseconds_of_aware_datetimes():
    tr = TimeRange.between(START, START + timedelta(hours=2))
    assert (tr.start_ms, tr.end_ms, tr.minutes) == (START_MS, START_MS + 7_200_000, 120)


def test_between_converts_other_time_zones_to_utc():
    plus_eight = timezone(timedelta(hours=8))
    tr = TimeRange.between(
        datetime(2025, 1, 1, 16, 0, tzinfo=plus_eight), datetime(2025, 1, 1, 17, 0, tzinfo=plus_eight)
    )
    assert tr.start_ms == START_MS and tr.minutes == 60


def test_between_rounds_a_partial_minute_up():
    assert TimeRange.between(START, START + timedelta(minutes=1, seconds=1)).minutes == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime(2025, 1, 1, 8), datetime(2025, 1, 1, 9), "time zone"),
        (START, START, "after the start"),
        (START, START - timedelta(minutes=5), "after the start"),
        ("2025-01-01", START, "datetime"),
    ],
)
def test_between_rejects(start, end, message):
    with pytest.raises(TimeRangeError, match=message):
        TimeRange.between(start, end)


def test_parse_round_trips():
    for text in ("-1.-1.60", "1735718400000.-1.30", "-1.1735722000000.1440", "0.60000.1"):
        assert str(TimeRange.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "three parts"),
        ("-1.-1", "three parts"),
        ("-1.-1.60.0", "three parts"),
        ("a.-1.60", "start"),
        ("-2.-1.60", "start"),
        ("-1.-0.60", "end"),
        ("01.-1.60", "leading zeros"),
        ("1234567890123456.-1.60", "15 digits"),
        (" -1.-1.60", "start"),
        ("-1.-1.0", "duration"),
        ("-1.-1.-5", "duration"),
        ("-1.-1.1.5", "three parts"),
        ("-1.-1.sixty", "duration"),
        ("1735722000000.1735718400000.60", "after the start"),
    ],
)
def test_parse_is_strict_and_says_what_is_wrong(text, message):
    with pytest.raises(TimeRangeError, match=message):
        TimeRange.parse(text)


def test_parse_rejects_what_is_not_text():
    with pytest.raises(TimeRangeError, match="text"):
        TimeRange.parse(60)


def test_time_range_error_is_a_value_error():
    assert issubclass(TimeRangeError, ValueError)


@pytest.mark.parametrize(
    ("start", "end", "minutes"), [(-2, -1, 60), (-1, -1, 0), (True, -1, 5), (-1, 1.5, 5)]
)
def test_constructor_validates(start, end, minutes):
    with pytest.raises(TimeRangeError):
        TimeRange(start, end, minutes)


def test_frozen():
    with pytest.raises(AttributeError):
        TimeRange.last(60).minutes = 5


class TestMinusOneRules:
    def test_both_unset_is_the_last_minutes_up_to_now(self):
        assert TimeRange.last(60).resolve(NOW_MS) == (NOW_MS - 3_600_000, NOW_MS)

    def test_unset_start_counts_back_from_the_end(self):
        assert TimeRange(-1, START_MS, 30).resolve(NOW_MS) == (START_MS - 1_800_000, START_MS)

    def test_unset_end_counts_forward_from_the_start(self):
        assert TimeRange(START_MS, -1, 5).resolve(NOW_MS) == (START_MS, START_MS + 300_000)

    def test_unset_end_never_passes_now(self):
        assert TimeRange(START_MS, -1, 60).resolve(NOW_MS) == (START_MS, NOW_MS)

    def test_both_set_are_kept(self):
        assert TimeRange(START_MS, NOW_MS, 10).resolve(NOW_MS + 1) == (START_MS, NOW_MS)

    def test_relative_only_when_the_server_picks_the_end(self):
        assert TimeRange.last(5).is_relative and TimeRange(START_MS, -1, 5).is_relative
        assert not TimeRange(-1, START_MS, 5).is_relative


@pytest.mark.parametrize("period", PERIODS)
def test_the_1440_point_rule_at_each_period_boundary(period):
    longest = MAX_POINTS * period // 60
    check_period(longest, period)  # exactly 1440 points: allowed
    assert TimeRange.last(longest).points(period) == MAX_POINTS
    with pytest.raises(TimeRangeError) as raised:
        check_period(longest + 1, period)
    assert TimeRange.last(longest + 1).points(period) == MAX_POINTS + 1
    if period != PERIODS[-1]:
        following = PERIODS[PERIODS.index(period) + 1]
        assert f"{following} seconds" in str(raised.value)
        assert smallest_valid_period(longest + 1) == following
    else:
        assert smallest_valid_period(longest + 1) is None
        assert "86400 minutes" in str(raised.value)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (1, 60),
        (60, 60),
        (1440, 60),
        (1441, 300),
        (7200, 300),
        (7201, 900),
        (21600, 900),
        (21601, 3600),
        (86400, 3600),
        (86401, None),
    ],
)
def test_smallest_valid_period(minutes, expected):
    assert smallest_valid_period(minutes) == expected


def test_the_message_names_the_smallest_valid_period():
    with pytest.raises(TimeRangeError, match="smallest valid period is 900 s"):
        check_period(7 * 24 * 60, 60)


@pytest.mark.parametrize("period", [30, 120, "60", 60.0, True])
def test_only_the_documented_periods_are_accepted(period):
    with pytest.raises(TimeRangeError, match="60, 300, 900, 3600"):
        check_period(60, period)


def test_a_time_range_checks_its_own_period():
    TimeRange.last(1440).check(60)
    with pytest.raises(TimeRangeError):
        TimeRange.last(1441).check(60)
