"""The connection pages against the running sandbox: the stored, encrypted keys still sign correctly."""

import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from pools.models import Connection
from tests.fixtures import sandbox as account

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_created_through_the_page_the_connection_lists_the_sandbox_pools(
    admin_client_, seeded_sandbox, caplog
):
    caplog.set_level(logging.DEBUG)
    form = {
        "name": "sandbox-ui",
        "region": account.REGION,
        "project_id": account.PROJECT_ID,
        "endpoint": seeded_sandbox.url,
        "workspace_id": "0",
        "access_key": account.AK,
        "secret_key": account.SK,
    }
    assert admin_client_.post(reverse("pools:connection_create"), form).status_code == 302
    connection = Connection.objects.get(name="sandbox-ui")
    expected = sum(
        1
        for pool in seeded_sandbox.pools(account.PROJECT_ID)
        if pool["metadata"]["labels"].get("os.modelarts/workspace.id") == "0"
    )
    assert expected > 1

    response = admin_client_.post(reverse("pools:connection_test", args=[connection.pk]), **HTMX)
    html = response.content.decode()
    assert 'class="badge ok"' in html and f"{expected} pool" in html and " ms" in html
    assert seeded_sandbox.calls("ListPools")
    connection.refresh_from_db()
    assert connection.last_test_ok is True and connection.last_test_latency_ms is not None

    pages = html + admin_client_.get(reverse("pools:connection_list")).content.decode()
    pages += admin_client_.get(reverse("pools:connection_edit", args=[connection.pk])).content.decode()
    messages = "".join(e.change_message for e in LogEntry.objects.all())
    for text in (pages, caplog.text, messages):
        assert account.SK not in text and account.AK not in text


def test_a_wrong_secret_shows_the_sandbox_error_code_and_request_id(admin_client_, sandbox, make_connection):
    wrong = make_connection(
        "wrong-sk",
        access_key=account.AK,
        secret_key="not-the-sandbox-secret-0000",
        project_id=account.PROJECT_ID,
        endpoint=sandbox.url,
    )
    html = admin_client_.post(reverse("pools:connection_test", args=[wrong.pk]), **HTMX).content.decode()
    assert 'class="banner error"' in html and "HTTP 401" in html
    assert "Error code:" in html and "Request id:" in html
    wrong.refresh_from_db()
    assert wrong.last_test_ok is False and "401" in wrong.last_test_summary


def test_sandbox_connection_still_works_after_rotating_to_a_new_key(
    admin_client_, sandbox_connection, settings
):
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *settings.FIELD_ENCRYPTION_KEYS]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        response = admin_client_.post(reverse("pools:connection_test", args=[sandbox_connection.pk]), **HTMX)
    assert 'class="badge ok"' in response.content.decode()
