"""Re-encryption under the newest key (pools/services/connection_keys.py and rotate_encryption_keys)."""

import io

import pytest
from cryptography.fernet import Fernet
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.test import override_settings

from pools import audit, crypto
from pools.core import audit_messages
from pools.core.clients import KEYS_UNREADABLE
from pools.services import connection_keys as services
from pools.services.connections import connection_delete
from tests.fixtures.connections import (
    FAKE_ACCESS_KEY,
    FAKE_SECRET_KEY,
    assert_no_secret,
    entries_for,
    file_change_request,
)

pytestmark = pytest.mark.django_db


OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_rotation_moves_every_secret_to_the_newest_key_and_is_safe_twice(make_connection):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        first = make_connection("first")
        second = make_connection("second", secret_key="SKother-secret-value-0099")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        first.refresh_from_db()
        second.refresh_from_db()
        assert crypto.decrypt(first.secret_key_token) == FAKE_SECRET_KEY
        assert crypto.decrypt(first.access_key_token) == FAKE_ACCESS_KEY
        assert crypto.decrypt(second.secret_key_token) == "SKother-secret-value-0099"
    rotations = [
        e for e in entries_for(first) + entries_for(second) if e["action"] == "connection.rotate_keys"
    ]
    assert len(rotations) == 4
    assert {e["user"] for e in rotations} == {audit.SYSTEM_USERNAME}
    for entry in rotations:
        assert_no_secret(entry["raw"])
        assert "SKother" not in entry["raw"]


def test_rotation_names_the_connection_it_cannot_open_and_still_rotates_the_others(make_connection, capsys):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        good = make_connection("good")
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        make_connection("foreign")
    token_before = good.secret_key_token
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        with pytest.raises(CommandError) as caught:
            call_command("rotate_encryption_keys")
    assert "1 connection(s) could not be re-encrypted" in str(caught.value)
    err = capsys.readouterr().err
    assert KEYS_UNREADABLE.format(name="foreign") in err
    good.refresh_from_db()
    assert good.secret_key_token != token_before
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto.decrypt(good.secret_key_token) == FAKE_SECRET_KEY
    actions = [audit_messages.parse_message(e)["action"] for e in LogEntry.objects.all()]
    assert actions == ["connection.rotate_keys"]


def test_a_deleted_connections_keys_are_left_out_of_rotation(administrator, connection):
    file_change_request(connection, administrator)
    connection_delete(connection=connection, user=administrator)

    report = services.connections_rotate_secrets()

    assert report.failed == [] and connection.name not in report.rotated


def test_rotation_moves_the_notification_routes_destinations_and_secrets_too(make_connection, administrator):
    from pools.services.notifications.routes import notification_route_create

    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        connection = make_connection("routed")
        route = notification_route_create(
            user=administrator,
            connection=connection,
            name="hook",
            channel="webhook",
            target="https://hooks.example.test/x",
            secret="route-secret-0123456789",
            events=["pool_failed"],
        )
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        route.refresh_from_db()
        assert route.target == "https://hooks.example.test/x" and route.secret == "route-secret-0123456789"
