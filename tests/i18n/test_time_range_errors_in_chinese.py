"""The monitor's time range errors read in Chinese where they become field errors: each error of
pools/modelarts/timerange.py (worded in English there, with a code) has its message in the reader's language,
and the monitoring page's range and period errors are Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from pools.forms.filters import MonitorForm
from pools.forms.time_range_errors import MESSAGES, time_range_message
from pools.modelarts import timerange
from pools.modelarts.timerange import TimeRange, TimeRangeError, check_period
from tests.fixtures.sandbox import pool_id
from tests.i18n.kinds import assert_chinese, in_both
from tests.i18n.page_text import every_english_word, interface_texts

START = datetime(2025, 1, 1, 8, tzinfo=UTC)
# One way to break each rule, by the code of the error it raises.
BROKEN = {
    "period": lambda: check_period(60, 30),
    "minutes_type": lambda: TimeRange.last("60"),
    "minutes_min": lambda: TimeRange.last(0),
    "range_too_long": lambda: check_period(86_401, 3600),
    "too_many_points": lambda: check_period(10_080, 60),
    "moment_type": lambda: TimeRange.between("2025-01-01", START),
    "moment_naive": lambda: TimeRange.between(datetime(2025, 1, 1), START),  # noqa: DTZ001
    "epoch_type": lambda: TimeRange("1", -1, 5),
    "epoch_negative": lambda: TimeRange(-2, -1, 5),
    "end_not_after_start": lambda: TimeRange.between(START, START),
    "text_type": lambda: TimeRange.parse(5),
    "text_parts": lambda: TimeRange.parse("1.2"),
    "epoch_format": lambda: TimeRange.parse("01.-1.5"),
    "minutes_format": lambda: TimeRange.parse("-1.-1.0"),
}


def raised(break_rule) -> TimeRangeError:
    with pytest.raises(TimeRangeError) as caught:
        break_rule()
    return caught.value


def test_every_code_the_client_raises_has_a_message_and_is_broken_here():
    codes = set(re.findall(r'code="(\w+)"', Path(timerange.__file__).read_text()))
    assert codes == set(MESSAGES) == set(BROKEN)


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_time_range_error_reads_in_chinese(code):
    error = raised(BROKEN[code])
    assert error.code == code
    english, chinese = in_both(lambda: time_range_message(error))
    assert_chinese(english, chinese)
    # The values the client quotes (a Python type name, what was typed) are in both, and are data.
    quoted = [str(value) for name, value in error.params.items() if name != "what"]
    assert all(value in english and value in chinese for value in quoted), (code, quoted)
    words = chinese
    for value in quoted:
        words = words.replace(value, " ")
    assert every_english_word(words.replace("start.end.minutes", " ")) == [], chinese


@pytest.mark.parametrize(
    ("query", "field", "values"),
    [
        # A period too fine for the range (the range is fine).
        ({"range": "7d", "period": "60"}, "period", ("10080", "900")),
        # A custom range longer than even an hour's period allows, with that period chosen.
        (
            {"range": "custom", "start": "2025-01-01T00:00", "end": "2025-04-01T00:00", "period": "3600"},
            "period",
            ("129600", "86400"),
        ),
    ],
)
def test_the_monitoring_form_s_time_range_errors_read_in_chinese(query, field, values):
    with translation.override("zh-hans"):
        form = MonitorForm.from_query(query)
        assert not form.is_valid()
        errors = [str(error) for error in form.errors[field]]
    assert errors
    for error in errors:
        assert every_english_word(error) == [], error
        assert all(value in error for value in values), error


@pytest.fixture
def infer_page(seeded_sandbox, sandbox_connection):
    """The monitoring tab of the sandbox's running T4 inference pool."""
    return reverse("pools:pool_monitoring", args=[sandbox_connection.pk, pool_id(seeded_sandbox, "infer-t4")])


@pytest.mark.django_db
def test_the_monitoring_page_s_period_error_reads_in_chinese(browse, seeded_sandbox, infer_page):
    response = browse.get(infer_page, {"range": "7d", "period": "60"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    error = re.search(r'<p class="field-error period-error">(.*?)</p>', html, re.S).group(1)
    assert "10080" in error and every_english_word(error) == [], error
    assert [text for text in interface_texts(html) if "10080" in text and every_english_word(text)] == []
