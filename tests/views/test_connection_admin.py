import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from pools import audit
from pools.core import audit_messages
from pools.models import Connection
from pools.validators import ENDPOINT_FORMAT
from tests.fixtures.connections import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, file_change_request

pytestmark = pytest.mark.django_db

FORM = {
    "name": "admin-made",
    "description": "",
    "region": "cn-north-4",
    "project_id": "0123456789abcdef0123456789abcdef",
    "endpoint": "",
    "user_id": "",
    "workspace_id": "0",
    "access_key": FAKE_ACCESS_KEY,
    "secret_key": FAKE_SECRET_KEY,
}


@pytest.fixture
def staff_admin(client, administrator):
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    return client


def actions():
    return [json.loads(e.change_message)["action"] for e in LogEntry.objects.order_by("pk")]


def assert_no_secret(html: str):
    assert FAKE_ACCESS_KEY not in html and FAKE_SECRET_KEY not in html


def test_changelist_and_change_form_show_only_the_masked_ak(staff_admin, connection):
    changelist = staff_admin.get(reverse("admin:pools_connection_changelist")).content.decode()
    assert connection.name in changelist and connection.access_key_hint in changelist
    assert_no_secret(changelist)
    change = staff_admin.get(reverse("admin:pools_connection_change", args=[connection.pk])).content.decode()
    assert connection.access_key_hint in change and 'name="secret_key"' in change
    assert_no_secret(change)
    assert_no_secret(connection.access_key_token)  # the token itself is never shown either
    assert connection.secret_key_token not in change and connection.access_key_token not in change


def test_add_through_the_admin_is_one_sealed_audit_entry(staff_admin):
    response = staff_admin.post(reverse("admin:pools_connection_add"), {**FORM, "_save": "Save"})
    assert response.status_code == 302
    connection = Connection.objects.get(name="admin-made")
    assert connection.access_key_hint == f"{FAKE_ACCESS_KEY[:4]}…{FAKE_ACCESS_KEY[-4:]}"
    assert actions() == ["connection.create"]
    assert audit.verify_chain().ok


def test_admin_edit_keeps_blank_keys_and_refuses_bad_input(staff_admin, connection):
    tokens = (connection.access_key_token, connection.secret_key_token)
    url = reverse("admin:pools_connection_change", args=[connection.pk])
    bad = staff_admin.post(url, {**FORM, "endpoint": "https://x.example.com/api"})
    assert bad.status_code == 200 and str(ENDPOINT_FORMAT) in bad.content.decode()
    assert_no_secret(bad.content.decode())
    response = staff_admin.post(url, {**FORM, "access_key": "", "secret_key": "", "_save": "Save"})
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "admin-made"
    assert (connection.access_key_token, connection.secret_key_token) == tokens
    assert actions() == ["connection.update"]
    assert audit.verify_chain().ok


def test_admin_edit_of_the_project_needs_the_secret_key_again(staff_admin, connection):
    url = reverse("admin:pools_connection_change", args=[connection.pk])
    moved = {**FORM, "project_id": "fedcba9876543210fedcba9876543210", "access_key": "", "secret_key": ""}

    refused = staff_admin.post(url, {**moved, "_save": "Save"})

    assert refused.status_code == 200
    assert "Enter the secret key (SK) again to change the endpoint" in refused.content.decode()
    connection.refresh_from_db()
    assert connection.project_id == "0123456789abcdef0123456789abcdef"
    assert actions() == []

    accepted = staff_admin.post(url, {**moved, "secret_key": "SKre-entered-for-the-project", "_save": "Save"})
    assert accepted.status_code == 302
    connection.refresh_from_db()
    assert connection.project_id == "fedcba9876543210fedcba9876543210"
    [entry] = LogEntry.objects.all()
    changes = audit_messages.parse_message(entry)["details"]["changes"]
    assert changes["project_id"] == ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"]
    assert audit.verify_chain().ok


def test_admin_delete_goes_through_the_service(staff_admin, connection):
    response = staff_admin.post(
        reverse("admin:pools_connection_delete", args=[connection.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Connection.objects.exists()
    assert actions() == ["connection.delete"]
    assert audit.verify_chain().ok


def test_admin_delete_of_a_connection_with_history_keeps_it_retired(staff_admin, connection, administrator):
    file_change_request(connection, administrator, status="rejected")
    url = reverse("admin:pools_connection_delete", args=[connection.pk])
    assert "Cannot delete" not in staff_admin.get(url).content.decode()

    response = staff_admin.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert Connection.objects.get(pk=connection.pk).retired_at is not None
    changelist = staff_admin.get(reverse("admin:pools_connection_changelist")).content.decode()
    assert f"“{connection.name}” was deleted successfully" in changelist
    assert (
        connection.name not in staff_admin.get(reverse("admin:pools_connection_changelist")).content.decode()
    )
    assert actions() == ["connection.delete"]
    assert audit.verify_chain().ok


def test_staff_without_the_permission_cannot_open_connections_in_the_admin(client, approver, connection):
    approver.is_staff = True
    approver.save()
    client.force_login(approver)
    assert client.get(reverse("admin:pools_connection_changelist")).status_code == 403


def test_other_admin_changes_are_sealed_too(client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.test", "pw-irrelevant-42")
    client.force_login(superuser)
    group = Group.objects.get(name="Viewer")
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = client.post(url, {"name": "Viewers", "permissions": [p.pk for p in group.permissions.all()]})
    assert response.status_code == 302
    assert actions() == ["admin.group.change"]
    assert audit.verify_chain().ok
