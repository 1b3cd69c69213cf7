"""Approving through the API: off by default; with API_APPROVAL_TOKENS on, only with a token of an approver
that has the ``approve`` scope, four eyes still held, and audited as done through that token."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from pools.api.access import APPROVAL_OFF
from pools.core.audit_messages import parse_message
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from pools.services import api_tokens, change_requests
from pools.services.change_requests import messages
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.api import api_client, token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/change-requests/"


def file_deletion(user, connection, sandbox, name: str = "infer-t4") -> ChangeRequest:
    return change_requests.change_request_create(
        user=user,
        connection=connection,
        kind="delete_pool",
        target=sandbox_account.pool_id(sandbox, name),
        body=None,
        reason="no longer needed",
        idempotency_key=f"approval-{name}",
    )


@pytest.fixture
def pending(operator, seeded_sandbox, sandbox_connection) -> ChangeRequest:
    return file_deletion(operator, sandbox_connection, seeded_sandbox)


@pytest.fixture
def approval_tokens_on(settings):
    settings.API_APPROVAL_TOKENS = True


def test_off_by_default_even_for_an_approver_token(settings, approver, pending, seeded_sandbox):
    assert settings.API_APPROVAL_TOKENS is False
    with pytest.raises(ApplicationError) as refused:
        token_for(approver, scopes=["approve"], days=1)
    assert refused.value.message == api_tokens.APPROVE_SCOPE_OFF
    answer = api_client(token_for(approver, scopes=["change"])).post(f"{URL}{pending.pk}/approve/")
    assert answer.status_code == 403 and answer.json()["error"]["message"] == APPROVAL_OFF
    pending.refresh_from_db()
    assert pending.status == "pending" and seeded_sandbox.calls("DeletePool") == 0


def test_a_token_made_while_on_stops_approving_once_turned_off(
    settings, approval_tokens_on, approver, pending
):
    client = api_client(token_for(approver, scopes=["approve"], days=1))
    settings.API_APPROVAL_TOKENS = False
    assert client.post(f"{URL}{pending.pk}/approve/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_an_approve_token_approves_and_the_change_runs(approval_tokens_on, approver, pending, seeded_sandbox):
    client = api_client(token_for(approver, scopes=["approve"], days=1, name="release-bot"))
    answer = client.post(f"{URL}{pending.pk}/approve/", {"comment": "ok by bot"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["data"]["status"] == "succeeded"
    assert seeded_sandbox.calls("DeletePool") == 1
    entries = [parse_message(e) for e in LogEntry.objects.filter(object_id=str(pending.pk)).order_by("pk")]
    approve = next(e for e in entries if e["action"] == "change_request.approve")
    assert approve["details"]["api_token"] == "release-bot" and approve["details"]["comment"] == "ok by bot"


def test_a_read_token_of_an_approver_cannot_approve(approval_tokens_on, approver, pending, seeded_sandbox):
    for scopes in ([], ["change"]):
        answer = api_client(token_for(approver, scopes=scopes, name=str(scopes))).post(
            f"{URL}{pending.pk}/approve/"
        )
        assert answer.status_code == 403
        assert "'approve' scope" in answer.json()["error"]["message"]
    pending.refresh_from_db()
    assert pending.status == "pending" and seeded_sandbox.calls("DeletePool") == 0


def test_nobody_approves_their_own_request_with_a_token(
    approval_tokens_on, administrator, seeded_sandbox, sandbox_connection
):
    own = file_deletion(administrator, sandbox_connection, seeded_sandbox)
    client = api_client(token_for(administrator, scopes=["approve", "change"], days=1))
    answer = client.post(f"{URL}{own.pk}/approve/")
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == messages.OWN_REQUEST
    assert client.post(f"{URL}{own.pk}/reject/", {"comment": "no"}, format="json").status_code == 403
    own.refresh_from_db()
    assert own.status == "pending" and seeded_sandbox.calls("DeletePool") == 0


def test_only_approvers_get_the_scope_and_it_must_expire_soon(
    approval_tokens_on, operator, approver, settings
):
    with pytest.raises(ApplicationError) as not_an_approver:
        token_for(operator, scopes=["approve"], days=1)
    assert not_an_approver.value.message == api_tokens.APPROVE_SCOPE_NEEDS_ROLE
    for days in (None, settings.API_APPROVAL_TOKEN_MAX_DAYS + 1):
        with pytest.raises(ApplicationError) as too_long:
            token_for(approver, scopes=["approve"], days=days)
        assert too_long.value.field == "expires_in_days"


def test_an_approver_who_loses_the_role_can_no_longer_approve(approval_tokens_on, approver, pending):
    client = api_client(token_for(approver, scopes=["approve"], days=1))
    approver.groups.clear()
    answer = client.post(f"{URL}{pending.pk}/approve/")
    assert answer.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_reject_needs_a_comment_and_is_audited(approval_tokens_on, approver, pending):
    client = api_client(token_for(approver, scopes=["approve"], days=1, name="release-bot"))
    no_comment = client.post(f"{URL}{pending.pk}/reject/", {}, format="json")
    assert no_comment.status_code == 400 and list(no_comment.json()["errors"]) == ["comment"]
    answer = client.post(f"{URL}{pending.pk}/reject/", {"comment": "not now"}, format="json")
    assert answer.status_code == 200 and answer.json()["data"]["status"] == "rejected"
    twice = client.post(f"{URL}{pending.pk}/approve/")
    assert twice.status_code == 409


def test_there_is_no_execute_or_retry_in_the_api(approval_tokens_on, approver, pending):
    client = api_client(token_for(approver, scopes=["approve"], days=1))
    assert client.post(f"{URL}{pending.pk}/execute/").status_code == 404
    assert client.post(f"{URL}{pending.pk}/retry/").status_code == 404
