"""Accepting scheduled maintenance as a governed change, over the sandbox: filed with the live state, approved
by someone else, called once, followed until ModelArts shows the event accepted; HARD marked everywhere."""

from datetime import UTC, datetime, timedelta

import pytest

from pools.change_kinds import change_kind, messages
from pools.change_kinds.accept_event import HARD_NOTE
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.sandbox import maintenance
from pools.services import change_requests as svc
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status
KIND = change_kind("accept_event")


def waiting_event(sandbox) -> dict:
    listed = maintenance.list_scheduled_events(sandbox.store, PROJECT_ID, {"state": "inquiring"})
    return next(event for event in listed["events"] if event["poolDisplayName"] == "llm-pretrain")


def body_for(event: dict, **accept) -> dict:
    return {
        "eventId": event["id"],
        "workspaceId": "0",
        "nodeName": event["nodeName"],
        "eventType": event["type"],
        "accept": accept,
    }


def api_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def file(operator, connection, event, key="k-accept", **accept) -> ChangeRequest:
    return svc.change_request_create(
        user=operator,
        connection=connection,
        kind="accept_event",
        target=event["poolName"],
        body=body_for(event, **accept),
        reason="The NPU card must be replaced",
        idempotency_key=key,
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"eventId": "se-1"},
        {
            "eventId": "se-1",
            "workspaceId": "0",
            "nodeName": "n",
            "eventType": "x",
            "accept": {"notBefore": "soon"},
        },
        {
            "eventId": "se-1",
            "workspaceId": "0",
            "nodeName": "n",
            "eventType": "x",
            "accept": {"redeployConfig": {"type": "MEDIUM"}},
        },
        {"eventId": "../x", "workspaceId": "0", "nodeName": "n", "eventType": "x", "accept": {}},
    ],
)
def test_a_malformed_body_is_refused_on_the_body_field(body):
    with pytest.raises(ApplicationError) as refused:
        KIND.validate("pool-a", body)

    assert refused.value.field == "body"
    assert refused.value.message == messages.BAD_ACCEPT_BODY


def test_a_hard_redeploy_is_marked_in_the_summary_and_the_call(
    operator, seeded_sandbox, sandbox_connection, locmem_cache
):
    event = waiting_event(seeded_sandbox)

    filed = file(operator, sandbox_connection, event, redeployConfig={"type": "HARD", "autoFlow": "false"})

    assert filed.status == Status.PENDING
    assert "HARD redeploy (wipes the node's disks)" in filed.summary
    call = filed.call_description
    assert call.method == "POST"
    assert call.path == f"/v1/{{project_id}}/scheduled-events/{event['id']}/accept?workspaceId=0"
    assert call.body == {"redeployConfig": {"type": "HARD", "autoFlow": "false"}}
    assert call.notes == (HARD_NOTE,)
    assert filed.node_names == [event["nodeName"]]


def test_filing_is_refused_when_the_event_no_longer_waits_or_the_start_is_outside_the_window(
    operator, seeded_sandbox, sandbox_connection, locmem_cache
):
    event = waiting_event(seeded_sandbox)
    too_late = datetime.now(UTC) + timedelta(days=30)

    with pytest.raises(ApplicationError) as late:
        file(operator, sandbox_connection, event, key="k1", notBefore=api_time(too_late))
    with pytest.raises(ApplicationError) as soft:
        file(
            operator,
            sandbox_connection,
            event,
            key="k2",
            redeployConfig={"type": "SOFT", "autoFlow": "false"},
        )
    maintenance.accept_scheduled_event(seeded_sandbox.store, PROJECT_ID, event["id"], {}, b"{}")
    with pytest.raises(ApplicationError) as accepted:
        file(operator, sandbox_connection, event, key="k3")

    assert "is after the planned start" in late.value.message
    assert messages.REDEPLOY_NOT_OFFERED.format(kind="SOFT") in soft.value.message
    assert messages.EVENT_NOT_WAITING.format(state="executing") in accepted.value.message


def test_approved_it_is_called_once_and_settles_when_modelarts_shows_it_accepted(
    operator, approver, seeded_sandbox, sandbox_connection, locmem_cache
):
    event = waiting_event(seeded_sandbox)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    filed = file(operator, sandbox_connection, event, notBefore=api_time(start))
    seeded_sandbox.clear_calls()

    svc.change_request_approve(user=approver, change_request=filed)
    filed.refresh_from_db()
    assert filed.status == Status.IN_PROGRESS
    svc.process_change_requests()
    filed.refresh_from_db()

    assert filed.status == Status.SUCCEEDED
    assert f"starts at {start.strftime('%Y-%m-%d %H:%M:%S')} UTC" in filed.result_message
    assert seeded_sandbox.calls("AcceptScheduledEvent") == 1
    shown = maintenance.list_scheduled_events(seeded_sandbox.store, PROJECT_ID, {"id": event["id"]})[
        "events"
    ][0]
    assert shown["state"] == "scheduled"


def test_a_lost_answer_is_looked_up_never_sent_again(
    operator, approver, seeded_sandbox, sandbox_connection, locmem_cache, settings
):
    settings.MODELARTS_RETRIES = 0
    event = waiting_event(seeded_sandbox)
    filed = file(operator, sandbox_connection, event)
    seeded_sandbox.faults.drop(count=1, operation="AcceptScheduledEvent")

    try:
        svc.change_request_approve(user=approver, change_request=filed)
    except ApplicationError:
        pass
    svc.process_change_requests()
    filed.refresh_from_db()

    assert seeded_sandbox.calls("AcceptScheduledEvent") == 1
    # The dropped request never reached the sandbox's handler: the event still waits, the outcome stays
    # unknown within the grace period, and nothing is sent again.
    assert filed.status == Status.UNKNOWN
    assert filed.outcome_unknown
    shown = maintenance.list_scheduled_events(seeded_sandbox.store, PROJECT_ID, {"id": event["id"]})[
        "events"
    ][0]
    assert shown["state"] == "inquiring"
