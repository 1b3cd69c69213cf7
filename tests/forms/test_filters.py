"""The monitoring form's range and period rules, and the pool-list filters."""

from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict

from pools.forms.filters import (
    END_BEFORE_START,
    NEEDS_START_AND_END,
    POINT_RULE,
    START_IN_FUTURE,
    MonitorForm,
    NodeFilterForm,
    PoolFilterForm,
)


def monitor_form(query: str) -> MonitorForm:
    return MonitorForm.from_query(QueryDict(query))


@pytest.mark.parametrize(
    ("preset", "minutes", "period"),
    [("1h", 60, 60), ("6h", 360, 60), ("24h", 1440, 60), ("7d", 10080, 900)],
)
def test_each_preset_gets_the_finest_period_its_length_allows(preset, minutes, period):
    form = monitor_form(f"range={preset}")
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["time_range"]) == f"-1.-1.{minutes}"
    assert form.cleaned_data["period_seconds"] == period
    assert form.cleaned_data["time_range"].points(period) <= 1440


def test_defaults_are_the_last_hour_averaged_at_the_finest_period():
    form = monitor_form("")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["statistics"] == "average"
    assert (str(form.cleaned_data["time_range"]), form.cleaned_data["period_seconds"]) == ("-1.-1.60", 60)


def test_a_period_that_breaks_the_point_rule_is_a_field_error_that_explains_the_rule():
    form = monitor_form("range=7d&period=60")
    assert not form.is_valid()
    assert list(form.errors) == ["period"]
    message = form.errors["period"][0]
    assert "10080 points" in message and "1440" in message
    assert "smallest valid period is 900" in message
    assert str(POINT_RULE) in message
    assert "time_range" not in form.cleaned_data


def test_a_coarser_period_than_needed_is_accepted():
    form = monitor_form("range=24h&period=3600&statistics=maximum")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period_seconds"] == 3600


def test_a_custom_range_is_read_in_the_browsers_time_zone():
    # 10:00 and 12:30 at UTC+02:00 are 08:00 and 10:30 UTC.
    form = monitor_form("range=custom&start=2025-01-01T10:00&end=2025-01-01T12:30&tz=120")
    assert form.is_valid(), form.errors
    time_range = form.cleaned_data["time_range"]
    assert time_range.start_ms == int(datetime(2025, 1, 1, 8, 0, tzinfo=UTC).timestamp() * 1000)
    assert time_range.end_ms == int(datetime(2025, 1, 1, 10, 30, tzinfo=UTC).timestamp() * 1000)
    assert time_range.minutes == 150
    assert form.cleaned_data["period_seconds"] == 60


def test_a_custom_range_without_an_offset_is_utc():
    form = monitor_form("range=custom&start=2025-01-01T10:00&end=2025-01-03T10:00")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_range"].start_ms == int(
        datetime(2025, 1, 1, 10, tzinfo=UTC).timestamp() * 1000
    )
    assert form.cleaned_data["period_seconds"] == 300  # two days at one minute would be 2880 points


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("range=custom&end=2025-01-01T10:00", "start", NEEDS_START_AND_END),
        ("range=custom&start=2025-01-01T10:00", "end", NEEDS_START_AND_END),
        ("range=custom&start=2025-01-01T10:00&end=2025-01-01T09:00", "end", END_BEFORE_START),
    ],
)
def test_a_broken_custom_range_is_a_field_error(query, field, message):
    form = monitor_form(query)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_custom_range_starting_in_the_future_is_refused():
    start = datetime.now(UTC) + timedelta(days=1)
    end = start + timedelta(hours=1)
    form = monitor_form(f"range=custom&start={start:%Y-%m-%dT%H:%M}&end={end:%Y-%m-%dT%H:%M}")
    assert not form.is_valid()
    assert form.errors["start"] == [START_IN_FUTURE]


def test_a_custom_range_longer_than_sixty_days_is_refused_with_the_rule():
    form = monitor_form("range=custom&start=2025-01-01T00:00&end=2025-03-15T00:00")
    assert not form.is_valid()
    assert "too long" in form.errors["range"][0] and str(POINT_RULE) in form.errors["range"][0]


@pytest.mark.parametrize(
    "query",
    ["range=2h", "statistics=median", "period=120", "tz=9999", "range=custom&start=yesterday&end=today"],
)
def test_unknown_values_are_field_errors_not_exceptions(query):
    assert not monitor_form(query).is_valid()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("workspace=../etc", "workspace"),
        ("status=deleted", "status"),
        ("sort=price", "sort"),
        ("labels=team%3D%E2%9C%93", "labels"),
        ("q=" + "x" * 101, "q"),
        ("connection=abc", "connection"),
    ],
)
def test_bad_pool_filters_are_field_errors(query, field):
    form = PoolFilterForm(QueryDict(query))
    assert not form.is_valid()
    assert field in form.errors


def test_node_filter_accepts_node_phases_and_a_page_token():
    form = NodeFilterForm(QueryDict("phase=Abnormal&after=eyJwb29sIjoieCJ9"))
    assert form.is_valid(), form.errors
    assert not NodeFilterForm(QueryDict("phase=Sleeping")).is_valid()
