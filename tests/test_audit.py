import json

import pytest
from django.contrib.admin.models import LogEntry

from pools import audit
from pools.models import Connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection():
    conn = Connection(name="c1", region="cn-north-4", project_id="p" * 32)
    conn.access_key = "AKAUDITTEST000000001"
    conn.secret_key = "SKAUDITTEST-very-secret"
    conn.save()
    return conn


def test_record_writes_json_message_without_secrets(administrator, connection):
    entry = audit.record(
        user=administrator,
        action="connection.create",
        obj=connection,
        details={"name": "c1", "secret_key": "SKAUDITTEST-very-secret", "nested": {"sk": "x"}},
        request_id="rid-1",
        flag="add",
    )
    payload = json.loads(entry.change_message)
    assert payload == {
        "action": "connection.create",
        "details": {"name": "c1", "nested": {}},
        "request_id": "rid-1",
    }
    assert "SKAUDITTEST" not in entry.change_message


def test_chain_verifies_then_detects_change_removal_and_insertion(administrator, connection):
    for i in range(3):
        audit.record(user=administrator, action="connection.test", obj=connection, details={"i": i})
    assert audit.verify_chain().ok

    middle = LogEntry.objects.order_by("pk")[1]
    LogEntry.objects.filter(pk=middle.pk).update(change_message='{"action": "forged"}')
    report = audit.verify_chain()
    assert not report.ok and any("was changed" in p for p in report.problems)

    LogEntry.objects.filter(pk=middle.pk).delete()
    assert any("was removed" in p for p in audit.verify_chain().problems)

    LogEntry.objects.create(user=administrator, action_flag=2, object_repr="sneaky", change_message="{}")
    assert any("no seal" in p for p in audit.verify_chain().problems)


def test_removing_the_newest_entry_and_seal_is_detected(administrator, connection):
    from pools.models import AuditSeal

    for i in range(2):
        audit.record(user=administrator, action="connection.test", obj=connection, details={"i": i})
    last = AuditSeal.objects.order_by("-sequence").first()
    LogEntry.objects.filter(pk=last.log_entry_id).delete()
    last.delete()
    assert any("chain head" in p for p in audit.verify_chain().problems)


def test_actions_without_a_person_are_signed_by_the_inactive_system_user(connection):
    entry = audit.record(user=None, action="change_request.expire", obj=connection)
    assert entry.user.username == audit.SYSTEM_USERNAME
    assert not entry.user.is_active and not entry.user.has_usable_password()
