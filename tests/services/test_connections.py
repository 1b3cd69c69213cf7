import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError

from pools import audit, crypto
from pools.core.errors import ApplicationError
from pools.models import Connection
from pools.services import connections as services
from pools.validators import ENDPOINT_FORMAT, PROJECT_ID_FORMAT
from tests.fixtures.connections import (
    FAKE_ACCESS_KEY,
    FAKE_SECRET_KEY,
    assert_no_secret,
    entries_for,
    file_change_request,
)

pytestmark = pytest.mark.django_db

VALID = {
    "name": "prod-beijing",
    "description": "Production, Beijing 4",
    "region": "cn-north-4",
    "project_id": "0123456789abcdef0123456789abcdef",
    "endpoint": "",
    "user_id": "",
    "workspace_id": "0",
}


def create(user, **overrides):
    arguments = {**VALID, "access_key": FAKE_ACCESS_KEY, "secret_key": FAKE_SECRET_KEY, **overrides}
    return services.connection_create(user=user, **arguments)


def test_create_encrypts_keys_masks_the_ak_and_audits_without_secrets(administrator):
    connection = create(administrator)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.access_key_token and stored.secret_key_token
    assert_no_secret(stored.access_key_token + stored.secret_key_token)
    assert crypto.decrypt(stored.secret_key_token) == FAKE_SECRET_KEY
    assert stored.access_key_hint == f"{FAKE_ACCESS_KEY[:4]}…{FAKE_ACCESS_KEY[-4:]}"
    assert stored.created_by == administrator
    [entry] = entries_for(stored)
    assert entry["action"] == "connection.create" and entry["flag"] == ADDITION
    assert entry["user"] == administrator.username
    assert entry["details"]["after"]["name"] == "prod-beijing"
    assert_no_secret(entry["raw"])
    assert audit.verify_chain().ok


def test_create_strips_a_trailing_slash_and_defaults_the_workspace(administrator):
    connection = create(administrator, endpoint="http://127.0.0.1:8443/", workspace_id="")
    assert connection.endpoint == "http://127.0.0.1:8443"
    assert connection.effective_endpoint == "http://127.0.0.1:8443"
    assert connection.workspace_id == "0"
    assert create(administrator, name="other").effective_endpoint == (
        "https://modelarts.cn-north-4.myhuaweicloud.com"
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "This field cannot be blank."),
        ({"name": "n" * 81}, "name", "at most 80"),
        ({"region": "mars-north-1"}, "region", "is not a valid choice"),
        ({"endpoint": "ftp://modelarts.example.com"}, "endpoint", ENDPOINT_FORMAT),
        ({"endpoint": "https://modelarts.example.com/v2"}, "endpoint", ENDPOINT_FORMAT),
        ({"endpoint": "https://modelarts.example.com?x=1"}, "endpoint", ENDPOINT_FORMAT),
        ({"endpoint": "https://user:pw@modelarts.example.com"}, "endpoint", ENDPOINT_FORMAT),
        ({"endpoint": "https://modelarts.example.com:99999"}, "endpoint", ENDPOINT_FORMAT),
        ({"project_id": "has spaces"}, "project_id", PROJECT_ID_FORMAT),
        ({"project_id": "x" * 65}, "project_id", "at most 64"),
        ({"user_id": "bad\r\nX-Injected: 1"}, "user_id", "letters, digits"),
        ({"access_key": ""}, "access_key", services.KEY_REQUIRED),
        ({"secret_key": "with space"}, "secret_key", "without spaces"),
        ({"name": "qa\u202eevil"}, "name", "Remove the invisible character U+202E"),
        ({"description": "Prod\u200buction"}, "description", "Remove the invisible character U+200B"),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(administrator, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        create(administrator, **overrides)
    assert field in caught.value.message_dict
    assert any(str(message) in text for text in caught.value.message_dict[field])
    assert_no_secret(str(caught.value))
    assert not Connection.objects.exists()
    assert not LogEntry.objects.exists()


def test_duplicate_names_are_refused_whatever_the_case(administrator):
    create(administrator)
    with pytest.raises(ValidationError) as caught:
        create(administrator, name="PROD-Beijing")
    assert caught.value.message_dict["name"] == [services.DUPLICATE_NAME]


def test_update_keeps_blank_secrets_replaces_given_ones_and_audits_the_change(administrator, connection):
    ak_token, sk_token = connection.access_key_token, connection.secret_key_token
    updated = services.connection_update(
        connection=connection, user=administrator, **{**VALID, "description": "renamed"}
    )
    assert (updated.access_key_token, updated.secret_key_token) == (ak_token, sk_token)

    new_secret = "SKsecond-plaintext-secret-0043"
    updated = services.connection_update(
        connection=connection, user=administrator, secret_key=new_secret, **VALID
    )
    assert updated.access_key_token == ak_token
    assert crypto.decrypt(updated.secret_key_token) == new_secret
    first, second = entries_for(connection)
    assert first["action"] == second["action"] == "connection.update" and first["flag"] == CHANGE
    assert first["details"]["changes"]["description"] == ["", "renamed"]
    assert first["details"]["keys_replaced"] == []
    assert second["details"]["keys_replaced"] == ["SK"]
    assert new_secret not in second["raw"]
    assert_no_secret(first["raw"] + second["raw"])


@pytest.mark.parametrize(
    ("field", "new_value"),
    [
        ("endpoint", "https://collector.example.net"),
        ("region", "cn-east-3"),
        ("project_id", "fedcba9876543210fedcba9876543210"),
    ],
)
def test_a_new_target_needs_the_secret_key_again_and_is_audited_with_old_and_new(
    administrator, connection, field, new_value
):
    tokens = (connection.access_key_token, connection.secret_key_token)
    old_value = getattr(connection, field)
    moved = {**VALID, "name": connection.name, field: new_value}

    with pytest.raises(ValidationError) as caught:
        services.connection_update(connection=connection, user=administrator, **moved)
    assert caught.value.message_dict == {"secret_key": [services.SK_NEEDED_FOR_NEW_TARGET]}
    connection.refresh_from_db()
    assert getattr(connection, field) == old_value, "the stored keys must not follow a new target"
    assert (connection.access_key_token, connection.secret_key_token) == tokens
    assert entries_for(connection) == []

    new_secret = "SKfor-the-new-target-0044"
    services.connection_update(connection=connection, user=administrator, secret_key=new_secret, **moved)
    connection.refresh_from_db()
    assert getattr(connection, field) == new_value
    assert crypto.decrypt(connection.secret_key_token) == new_secret
    [entry] = entries_for(connection)
    assert entry["details"]["changes"][field] == [old_value, new_value]
    assert entry["details"]["target_changed"] == [field]
    assert entry["details"]["keys_replaced"] == ["SK"]
    assert new_secret not in entry["raw"]


def test_the_same_endpoint_written_differently_needs_no_key(administrator, make_connection):
    connection = make_connection(endpoint="https://modelarts.example.com:8443")
    services.connection_update(
        connection=connection,
        user=administrator,
        **{**VALID, "endpoint": " https://modelarts.example.com:8443/ ", "description": "same target"},
    )
    [entry] = entries_for(connection)
    assert entry["details"]["target_changed"] == []


def test_update_validates_like_create(administrator, connection):
    with pytest.raises(ValidationError) as caught:
        services.connection_update(
            connection=connection, user=administrator, **{**VALID, "endpoint": "https://h/x"}
        )
    assert "endpoint" in caught.value.message_dict
    assert Connection.objects.get(pk=connection.pk).endpoint == ""


def test_delete_audits_with_the_last_known_fields(administrator, connection):
    pk = connection.pk
    services.connection_delete(connection=connection, user=administrator)
    assert not Connection.objects.filter(pk=pk).exists()
    [entry] = entries_for(connection)
    assert entry["action"] == "connection.delete" and entry["flag"] == DELETION
    assert entry["details"]["before"]["name"] == connection.name
    assert_no_secret(entry["raw"])


def test_delete_is_refused_while_open_change_requests_use_the_connection(
    administrator, connection, monkeypatch
):
    monkeypatch.setattr(services, "open_change_request_count", lambda c: 2)
    with pytest.raises(ApplicationError) as caught:
        services.connection_delete(connection=connection, user=administrator)
    assert caught.value.message == services.DELETE_REFUSED.format(name=connection.name, count=2)
    assert Connection.objects.filter(pk=connection.pk).exists()
    assert not LogEntry.objects.exists()


@pytest.fixture
def change_request_model():
    from pools.models import ChangeRequest

    return ChangeRequest


def test_a_pending_request_past_its_expiry_no_longer_blocks_deletion(administrator, connection):
    from datetime import timedelta

    from django.utils import timezone

    from pools.models import ChangeRequest

    request = file_change_request(connection, administrator, status="pending")
    assert services.open_change_request_count(connection) == 1
    ChangeRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert services.open_change_request_count(connection) == 0
    message = services.connection_delete(connection=connection, user=administrator)
    assert message == services.DELETED_KEPT_FOR_HISTORY.format(name=connection.name)


def test_open_change_requests_block_deletion_and_past_ones_keep_a_retired_record(
    administrator, connection, change_request_model
):
    from pools.core.clients import CONNECTION_DELETED, client_for_connection
    from pools.models import UserPreference

    request = file_change_request(connection, administrator, status="pending")
    UserPreference.objects.create(user=administrator, connection=connection)
    assert services.open_change_request_count(connection) == 1
    with pytest.raises(ApplicationError) as caught:
        services.connection_delete(connection=connection, user=administrator)
    assert caught.value.message == services.DELETE_REFUSED.format(name=connection.name, count=1)
    assert not LogEntry.objects.exists()

    change_request_model.objects.filter(pk=request.pk).update(status="cancelled")
    message = services.connection_delete(connection=connection, user=administrator)

    assert message == services.DELETED_KEPT_FOR_HISTORY.format(name=connection.name)
    kept = Connection.objects.get(pk=connection.pk)
    assert kept.retired_at is not None and kept.name == connection.name
    assert kept.access_key_token == kept.secret_key_token == kept.access_key_hint == ""
    assert not Connection.objects.in_use().filter(pk=connection.pk).exists()
    assert change_request_model.objects.get(pk=request.pk).connection_id == connection.pk
    assert UserPreference.objects.get(user=administrator).connection is None
    [entry] = entries_for(connection)
    assert entry["flag"] == DELETION and entry["details"]["kept_for_history"] is True
    assert_no_secret(entry["raw"])
    with pytest.raises(ApplicationError) as refused:
        client_for_connection(kept)
    assert refused.value.message == CONNECTION_DELETED.format(name=connection.name)

    # Its name is free again, and it cannot be deleted twice.
    reborn = create(administrator, name=connection.name)
    assert reborn.pk != connection.pk
    with pytest.raises(Connection.DoesNotExist):
        services.connection_delete(connection=kept, user=administrator)
