"""The accept-maintenance form: a start within the event's window, HARD confirmed, the request body."""

from datetime import UTC, datetime, timedelta

import pytest

from pools.forms.accept_event import (
    AUTO_FLOW_WITHOUT_REDEPLOY,
    HARD_NOT_CONFIRMED,
    NOT_AWAITING,
    NOT_BEFORE_PASSED,
    NOT_BEFORE_TOO_LATE,
    AcceptEventForm,
)
from pools.modelarts.events import ScheduledEvent

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PLANNED = NOW + timedelta(days=3)


def event(state="inquiring", redeploy=("SOFT", "HARD")) -> ScheduledEvent:
    return ScheduledEvent.parse(
        {
            "id": "se-0123",
            "type": "localdisk-recovery",
            "state": state,
            "nodeName": "os-node-created-abcde",
            "poolName": "pool-x",
            "notBefore": "2026-12-07T12:00:00Z",
            "redeployType": list(redeploy),
        }
    )


def form(data, **options):
    return AcceptEventForm({"reason": "disk errors", **data}, event=options.get("event", event()), now=NOW)


def test_a_start_in_the_window_and_a_hard_redeploy_confirmed_make_the_body():
    filled = form(
        {"not_before": "2026-12-05T03:30", "redeploy": "HARD", "confirm_wipe": "on", "auto_flow": "on"}
    )

    assert filled.is_valid(), filled.errors
    assert filled.request_body("0") == {
        "eventId": "se-0123",
        "workspaceId": "0",
        "nodeName": "os-node-created-abcde",
        "eventType": "localdisk-recovery",
        "accept": {
            "notBefore": "2026-12-05T03:30:00Z",
            "redeployConfig": {"type": "HARD", "autoFlow": "true"},
        },
    }


def test_no_start_means_at_once_and_no_redeploy_sends_an_empty_body():
    filled = form({})

    assert filled.is_valid(), filled.errors
    assert filled.request_body("ws")["accept"] == {}


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2026-12-04T11:59", NOT_BEFORE_PASSED),
        ("2026-12-07T12:01", NOT_BEFORE_TOO_LATE.format(planned="2026-12-07 12:00:00")),
    ],
)
def test_a_start_outside_the_window_is_a_field_error(start, message):
    filled = form({"not_before": start})

    assert not filled.is_valid()
    assert filled.errors["not_before"] == [message]


def test_hard_needs_the_confirmation_and_auto_flow_a_redeploy():
    hard = form({"redeploy": "HARD"})
    auto = form({"auto_flow": "on"})

    assert hard.errors["confirm_wipe"] == [HARD_NOT_CONFIRMED]
    assert auto.errors["auto_flow"] == [AUTO_FLOW_WITHOUT_REDEPLOY]


def test_only_the_offered_redeployments_and_only_while_waiting():
    soft_only_missing = form({"redeploy": "SOFT"}, event=event(redeploy=("HARD",)))
    accepted = form({}, event=event(state="scheduled"))

    assert "redeploy" in soft_only_missing.errors
    assert accepted.non_field_errors() == [NOT_AWAITING.format(state="scheduled")]
