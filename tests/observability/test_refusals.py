"""A refused request leaves one WARNING line (method, path, user) and no traceback; other lines are untouched."""

from __future__ import annotations

import logging
import sys

import pytest
from django.urls import reverse

from pools.observability.refusals import QuietRefusalFilter


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.django_db
def test_a_refusal_is_one_line_without_a_traceback(operator_client, operator, caplog):
    caplog.set_level(logging.INFO)

    response = operator_client.get(reverse("pools:audit_log"))

    assert response.status_code == 403
    [line] = _request_lines(caplog)
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage() == f"Forbidden (Permission denied): /audit/ (GET, user {operator.pk})"
    assert "Traceback" not in caplog.text and "PermissionDenied" not in caplog.text


def _record(status_code: int, exc_info) -> logging.LogRecord:
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "%s: %s", ("Oops", "/x/"), exc_info
    )
    record.status_code = status_code
    return record


def test_other_statuses_keep_their_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = _record(500, exc_info)

    assert QuietRefusalFilter().filter(record)
    assert record.exc_info is exc_info and record.getMessage() == "Oops: /x/"


def test_a_refusal_outside_a_request_still_reads():
    record = _record(403, None)

    assert QuietRefusalFilter().filter(record)
    assert record.getMessage() == "Oops: /x/ (-, user -)"


def test_a_refusal_seen_twice_by_the_filter_is_written_once():
    """Logging configured twice in one process (the demo) puts the filter on the logger twice."""
    record = _record(403, None)
    twice = [QuietRefusalFilter(), QuietRefusalFilter()]

    assert all(quiet.filter(record) for quiet in twice)
    assert record.getMessage() == "Oops: /x/ (-, user -)"
