"""The connection test (pools/services/connection_checks.py): stored and audited, failures as results."""

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from pools.core.clients import KEYS_UNREADABLE
from pools.modelarts.errors import AuthenticationError
from pools.modelarts.types import PoolList
from pools.models import Connection
from pools.services import connection_checks as services
from tests.fixtures.connections import entries_for

pytestmark = pytest.mark.django_db


class FakeClient:
    def __init__(self, outcome):
        self.outcome = outcome
        self.closed = False

    def list_pools(self, workspace_id="0", **_):
        self.workspace_id = workspace_id
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def close(self):
        self.closed = True


def test_successful_test_is_stored_and_audited(administrator, connection, monkeypatch):
    body = {"apiVersion": "v2", "kind": "PoolList", "items": []}
    fake = FakeClient(PoolList.parse(body, request_id="req-ok-1"))
    monkeypatch.setattr(services, "client_for_connection", lambda c: fake)
    result = services.connection_test(connection=connection, user=administrator)
    assert result.ok and result.pool_count == 0 and result.latency_ms is not None
    assert fake.closed and fake.workspace_id == "0"
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.last_test_ok is True and stored.last_test_at is not None
    assert stored.last_test_summary == result.summary and "0 pool(s)" in stored.last_test_summary
    [entry] = entries_for(connection)
    assert entry["action"] == "connection.test"
    assert entry["details"]["ok"] is True and entry["details"]["upstream_request_id"] == "req-ok-1"


def test_failed_test_keeps_code_message_and_request_id(administrator, connection, monkeypatch):
    error = AuthenticationError(
        operation="list_pools",
        status=401,
        error_code="APIGW.0301",
        error_msg="Incorrect IAM authentication information",
        request_id="req-bad-7",
    )
    monkeypatch.setattr(services, "client_for_connection", lambda c: FakeClient(error))
    result = services.connection_test(connection=connection, user=administrator)
    assert not result.ok
    assert (result.error_code, result.request_id, result.status) == ("APIGW.0301", "req-bad-7", 401)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.last_test_ok is False
    assert "APIGW.0301" in stored.last_test_summary and "req-bad-7" in stored.last_test_summary
    [entry] = entries_for(connection)
    assert entry["details"]["error_code"] == "APIGW.0301" and entry["details"]["ok"] is False


def test_a_connection_whose_keys_cannot_be_opened_tests_as_a_clear_failure(administrator, make_connection):
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        lost = make_connection("lost-key")
    result = services.connection_test(connection=lost, user=administrator)
    assert not result.ok
    assert result.title == KEYS_UNREADABLE.format(name="lost-key")
