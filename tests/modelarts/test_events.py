"""The event operations of ``ModelArtsClient`` against the sandbox: what goes on the wire, the typed values of
``pools/modelarts/events.py``, and the promise that an AcceptScheduledEvent is never sent twice."""

from datetime import UTC, datetime, timedelta

import pytest

from pools.modelarts.client import ModelArtsClient
from pools.modelarts.errors import BadRequestError, NotFoundError, OutcomeUnknownError, ServerError
from pools.modelarts.events import HARD, INQUIRING, SCHEDULED, EventPage, ScheduledEvent, accept_body
from tests.fixtures.sandbox import AK, PROJECT_ID, SK, pool_id


@pytest.fixture
def client(sandbox):
    with ModelArtsClient(sandbox.url, PROJECT_ID, AK, SK, retries=2, sleep=lambda _: None) as built:
        yield built


def repair_event(client) -> ScheduledEvent:
    listed = client.list_scheduled_events(states=[INQUIRING])
    return next(event for event in listed.items if event.pool_display_name == "llm-pretrain")


def test_events_come_typed_with_warnings_marked(seeded_sandbox, client):
    page = client.list_events(pool_id(seeded_sandbox, "vision-train"), limit=3)

    assert isinstance(page, EventPage)
    assert [event.is_warning for event in page.items] == [True, False, False]
    assert page.items[0].reason == "PoolResourcesStatusChange"
    assert page.items[0].last_at.tzinfo is not None
    assert page.continue_token and page.remaining == 1
    rest = client.list_events(
        pool_id(seeded_sandbox, "vision-train"), limit=3, continue_token=page.continue_token
    )
    assert len(rest.items) == 1 and not rest.continue_token
    call = seeded_sandbox.call_log("ListEvents")[0]
    assert call.path == f"/v1/{PROJECT_ID}/events"
    assert call.query.startswith("limit=3&name=") and call.query.endswith("&resource=pools")


def test_warnings_only_and_arguments_checked_before_sending(seeded_sandbox, client):
    warnings = client.list_events(pool_id(seeded_sandbox, "npu-infer-trial"), type="Warning")

    assert [event.type for event in warnings.items] == ["Warning"]
    with pytest.raises(ValueError):
        client.list_events("pool", type="Error")
    with pytest.raises(ValueError):
        client.list_events("pool", limit=501)
    with pytest.raises(ValueError):
        client.list_scheduled_events(states=["pending"])
    assert seeded_sandbox.calls("ListEvents") == 1


def test_scheduled_events_are_typed_and_accepting_sends_the_sdk_body(seeded_sandbox, client):
    event = repair_event(client)
    start = datetime.fromtimestamp(int(seeded_sandbox.clock.now()) + 600, UTC)

    accepted = client.accept_scheduled_event(event.id, not_before=start, redeploy_type=HARD, auto_flow=False)

    assert event.awaits_acceptance and event.redeploy_types == (HARD,)
    assert event.not_before > start
    assert accepted.state == SCHEDULED and accepted.not_before == start
    call = seeded_sandbox.call_log("AcceptScheduledEvent")[0]
    assert call.path == f"/v1/{PROJECT_ID}/scheduled-events/{event.id}/accept"


def test_the_accept_body_is_the_sdks_event_update():
    moment = datetime(2025, 9, 15, 7, 2, 30, tzinfo=UTC)

    assert accept_body(moment, "SOFT", True) == {
        "notBefore": "2025-09-15T07:02:30Z",
        "redeployConfig": {"type": "SOFT", "autoFlow": "true"},
    }
    assert accept_body(None, None, None) == {}
    with pytest.raises(ValueError):
        accept_body(datetime(2025, 9, 15), None, None)
    with pytest.raises(ValueError):
        accept_body(None, "MEDIUM", None)


def test_a_lost_accept_answer_is_never_sent_again(seeded_sandbox, client):
    event = repair_event(client)
    seeded_sandbox.faults.drop(count=1, operation="AcceptScheduledEvent")

    with pytest.raises(OutcomeUnknownError):
        client.accept_scheduled_event(event.id)

    assert seeded_sandbox.calls("AcceptScheduledEvent") == 1


def test_a_failed_accept_is_not_retried_but_a_failed_list_is(seeded_sandbox, client):
    event = repair_event(client)
    seeded_sandbox.faults.error(503, count=1, operation="AcceptScheduledEvent")
    seeded_sandbox.faults.error(503, count=1, operation="ListScheduledEvents")

    with pytest.raises(ServerError):
        client.accept_scheduled_event(event.id)
    listed = client.list_scheduled_events()

    assert seeded_sandbox.calls("AcceptScheduledEvent") == 1
    assert listed.count == 2  # the default workspace's: llm-pretrain's and infer-t4's


def test_refusals_are_typed(seeded_sandbox, client):
    event = repair_event(client)
    too_late = datetime.now(UTC) + timedelta(days=30)

    with pytest.raises(BadRequestError):
        client.accept_scheduled_event(event.id, not_before=too_late)
    with pytest.raises(NotFoundError):
        client.accept_scheduled_event("se-unknown")
