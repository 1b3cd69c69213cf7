"""client_for_connection against a local upstream that verifies every signature, as ModelArts does."""

import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from pools.core.clients import KEYS_UNREADABLE, ConnectionKeysUnreadable, client_for_connection
from pools.services.connection_checks import connection_test
from tests.fixtures.modelarts import TEST_AK, TEST_PROJECT, TEST_SK, json_response

pytestmark = pytest.mark.django_db

POOLS = {"apiVersion": "v2", "kind": "PoolList", "items": []}
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def upstream_connection(make_connection, upstream):
    return make_connection(
        "upstream",
        access_key=TEST_AK,
        secret_key=TEST_SK,
        endpoint=upstream.endpoint,
        project_id=TEST_PROJECT,
        user_id="u-0042",
        workspace_id="ws-7",
    )


@override_settings(MODELARTS_TIMEOUT_SECONDS=3.5, MODELARTS_DEADLINE_SECONDS=7.0, MODELARTS_RETRIES=1)
def test_the_client_gets_the_connection_and_the_settings(upstream_connection, upstream):
    client = client_for_connection(upstream_connection)
    try:
        assert client.endpoint == upstream.endpoint and client.project_id == TEST_PROJECT
        assert client.user_id == "u-0042"
        assert (client.timeout, client.deadline, client.retries) == (3.5, 7.0, 1)
        assert TEST_SK not in repr(client) and TEST_AK not in repr(client)
    finally:
        client.close()


def test_connection_test_signs_correctly_with_the_stored_keys(
    upstream_connection, upstream, administrator, caplog
):
    caplog.set_level(logging.DEBUG)
    upstream.answer(json_response(POOLS, request_id="rid-list-1"))
    result = connection_test(connection=upstream_connection, user=administrator)
    assert result.ok and result.pool_count == 0 and result.request_id == "rid-list-1"
    [seen] = upstream.seen
    assert seen.signature_valid
    assert seen.raw_path == f"/v2/{TEST_PROJECT}/pools" and "workspaceId=ws-7" in seen.raw_query
    assert TEST_SK not in caplog.text and TEST_AK not in caplog.text


def test_a_refused_signature_is_a_failed_test_with_code_and_request_id(
    make_connection, upstream, administrator
):
    wrong = make_connection(
        "wrong-sk", access_key=TEST_AK, secret_key="SK-not-the-right-one-00", endpoint=upstream.endpoint
    )
    body = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}
    upstream.answer(lambda request: json_response(body, status=401, request_id="rid-401"))
    result = connection_test(connection=wrong, user=administrator)
    assert not upstream.seen[0].signature_valid
    assert not result.ok and (result.status, result.error_code, result.request_id) == (
        401,
        "APIGW.0301",
        "rid-401",
    )


def test_after_rotation_the_connection_still_signs_with_only_the_new_key(
    make_connection, upstream, administrator
):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        connection = make_connection(
            "rotated",
            access_key=TEST_AK,
            secret_key=TEST_SK,
            endpoint=upstream.endpoint,
            project_id=TEST_PROJECT,
        )
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    connection.refresh_from_db()
    upstream.answer(json_response(POOLS))
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert connection_test(connection=connection, user=administrator).ok
    assert upstream.seen[0].signature_valid


def test_keys_from_another_key_set_fail_clearly_naming_the_connection(upstream_connection):
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        with pytest.raises(ConnectionKeysUnreadable) as caught:
            client_for_connection(upstream_connection)
    assert caught.value.message == KEYS_UNREADABLE.format(name="upstream")
    assert caught.value.__suppress_context__  # the report does not drag the crypto internals along


def test_reads_share_one_session_per_endpoint_and_writes_get_their_own(make_connection, upstream):
    first = make_connection("first", endpoint=upstream.endpoint)
    second = make_connection("second", endpoint=upstream.endpoint)
    elsewhere = make_connection("elsewhere", endpoint="https://modelarts.example.test")
    reads = [client_for_connection(c, keep_alive=True) for c in (first, first, second, elsewhere)]
    write = client_for_connection(first)
    try:
        sessions = [client._session for client in reads]
        assert sessions[0] is sessions[1] is sessions[2], "one pool of open connections per endpoint"
        assert sessions[3] is not sessions[0]
        assert write._session not in sessions
    finally:
        for client in (*reads, write):
            client.close()


def test_a_shared_session_keeps_no_cookie(upstream_connection, upstream):
    upstream.answer(json_response(POOLS, headers={"Set-Cookie": "account=first; Path=/"}))
    upstream.answer(json_response(POOLS))
    for _ in range(2):
        with client_for_connection(upstream_connection, keep_alive=True) as client:
            client.list_pools()
    assert upstream.seen[1].header("Cookie") is None, "one account's cookie never rides on another's call"
