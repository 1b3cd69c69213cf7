"""A connection's access key and secret key, once typed in, appear nowhere in plaintext.

One walk through everything that touches a connection — creating it in the UI, testing it, a change request
approved and executed with it, an upstream error, the Django admin, a crash report for a request that
carried the secret — then a scan of every place a key could end up: the raw database, every log record,
every page visited (plus every GET route of the permission matrix as an administrator), the readiness
answer and the metrics, the audit entries and the crash report.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter, technical_500_response
from pythonjsonlogger.json import JsonFormatter

from pools import permissions
from pools.models import ChangeRequest, Connection
from pools.sandbox import Account
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.browser import off_the_event_loop
from tests.fixtures.users import PASSWORD, make_user
from tests.views import test_permission_matrix as matrix

# Distinctive, and unlike anything else the app stores, so a hit can only be a leak.
LEAK_AK = "LEAKPROBEAK7Q2W9X4Z1"
LEAK_SK = "leak-probe-secret-Zx81-Qw73-never-in-plaintext"
SECRETS = (LEAK_AK, LEAK_SK)


def raw_database() -> bytes:
    """The database's bytes as stored: the SQLite file (and its WAL), or a pg_dump on PostgreSQL."""
    db_connection.close()
    settings_dict = db_connection.settings_dict
    if db_connection.vendor == "sqlite":
        name = Path(settings_dict["NAME"])
        return b"".join(path.read_bytes() for path in (name, Path(f"{name}-wal")) if path.exists())
    command = ["pg_dump", "--host", settings_dict["HOST"] or "127.0.0.1", "--username", settings_dict["USER"]]
    if settings_dict["PORT"]:
        command += ["--port", str(settings_dict["PORT"])]
    environment = {"PGPASSWORD": settings_dict["PASSWORD"] or ""}
    return subprocess.run(
        [*command, settings_dict["NAME"]], capture_output=True, check=True, timeout=60, env=environment
    ).stdout


class Scanned:
    """Every text the walk saw, by where it came from."""

    def __init__(self):
        self.texts: dict[str, bytes] = {}

    def add(self, where: str, content: bytes | str) -> None:
        self.texts[where] = content.encode("utf-8", "replace") if isinstance(content, str) else content

    def response(self, where: str, response) -> None:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
        self.add(where, headers.encode() + b"\n" + body)

    def leaks(self) -> list[str]:
        return [
            f"{where} holds {'the AK' if secret == LEAK_AK else 'the SK'}"
            for where, content in self.texts.items()
            for secret in SECRETS
            if secret.encode() in content
        ]


@pytest.mark.django_db(transaction=True)
def test_the_keys_of_a_connection_never_appear_in_plaintext(
    seeded_sandbox, django_user_model, settings, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    settings.MODELARTS_RETRIES = 0
    seeded_sandbox.add_account(Account(LEAK_AK, LEAK_SK, sandbox_account.PROJECT_ID))
    seen = Scanned()
    administrator = make_user(django_user_model, "leak-admin", permissions.ADMINISTRATOR)
    operator = make_user(django_user_model, "leak-operator", permissions.OPERATOR)
    approver = make_user(django_user_model, "leak-approver", permissions.APPROVER)
    as_admin, as_operator, as_approver = Client(), Client(), Client()
    as_admin.force_login(administrator)
    as_operator.force_login(operator)
    as_approver.force_login(approver)

    # Create the connection in the UI, then test it.
    form = {
        "name": "leak-probe",
        "region": sandbox_account.REGION,
        "project_id": sandbox_account.PROJECT_ID,
        "endpoint": seeded_sandbox.url,
        "workspace_id": "0",
        "access_key": LEAK_AK,
        "secret_key": LEAK_SK,
    }
    seen.response("connection create", as_admin.post(reverse("pools:connection_create"), form, follow=True))
    connection = Connection.objects.get(name="leak-probe")
    seen.response(
        "connection edit form", as_admin.get(reverse("pools:connection_edit", args=[connection.pk]))
    )
    tested = as_admin.post(reverse("pools:connection_test", args=[connection.pk]), follow=True)
    assert tested.status_code == 200
    seen.response("connection test", tested)
    assert seeded_sandbox.calls() > 0, "testing the connection should have called the sandbox"
    as_operator.post(reverse("pools:connection_switch"), {"connection": connection.pk, "next": "/"})
    as_approver.post(reverse("pools:connection_switch"), {"connection": connection.pk, "next": "/"})

    # A change request, filed and approved in the UI, executed against the sandbox with these keys.
    pool_name = seeded_sandbox.pools(sandbox_account.PROJECT_ID)[0]["metadata"]["name"]
    delete_url = reverse("pools:delete_pool_request", args=[connection.pk, pool_name])
    filed = as_operator.post(
        delete_url,
        {"confirmation": pool_name, "reason": "leak probe", "submission_key": "c" * 32},
        follow=True,
    )
    seen.response("delete request", filed)
    change_request = ChangeRequest.objects.get(connection=connection)
    approved = as_approver.post(
        reverse("pools:change_request_approve", args=[change_request.pk]),
        {"password": PASSWORD, "comment": "leak probe"},
        follow=True,
    )
    seen.response("approval", approved)
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.SUCCEEDED
    seen.response(
        "request detail", as_approver.get(reverse("pools:change_request_detail", args=[change_request.pk]))
    )

    # An upstream error, shown as a banner.
    seeded_sandbox.faults.error(503, count=10)
    failed = as_admin.get(reverse("pools:pool_list"), {"refresh": "1"})
    assert failed.status_code == 200
    seen.response("upstream error", failed)
    # The same failure as the readiness check reports it (it reads through this connection too), and the
    # metrics every call and read moved, as a scraper from an allowed address reads them.
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    for answer_format in ("json", "text", "html"):
        query = {"format": answer_format} if answer_format != "html" else {}
        ready = off_the_event_loop(Client().get, "/health/ready/", query)  # an async view
        assert ready.status_code == 200 and "leak-probe" in ready.content.decode()
        seen.response(f"readiness ({answer_format})", ready)
    seen.response("metrics", Client().get("/metrics"))
    seeded_sandbox.faults.clear()

    # Every GET route of the permission matrix, as an administrator.
    world = matrix.World(
        sandbox=seeded_sandbox,
        connection=connection,
        pool_name=seeded_sandbox.pools(sandbox_account.PROJECT_ID)[0]["metadata"]["name"],
        users={},
        change_request=change_request,
    )
    for name, route in matrix.ROUTES.items():
        if route.get_offered and not route.admin:
            url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
            seen.response(f"GET {name}", as_admin.get(url, follow=True))

    # The Django admin's pages for connections, and its audit log, as a superuser.
    superuser = django_user_model.objects.create_superuser("leak-root", "root@example.test", PASSWORD)
    as_root = Client()
    as_root.force_login(superuser)
    for name, args in (
        ("admin:pools_connection_changelist", []),
        ("admin:pools_connection_change", [connection.pk]),
        ("admin:admin_logentry_changelist", []),
    ):
        page = as_root.get(reverse(name, args=args))
        assert page.status_code == 200, name
        seen.response(name, page)

    # A crash in a request that carried the keys, reported as Django reports it to the ADMINS by e-mail (the
    # technical 500 report; with DEBUG off, as in production, the reporter filter is active).
    def crash(connection):
        raise RuntimeError("the connection service broke")

    # It breaks inside the service, below the frames that hold the keys as local variables.
    monkeypatch.setattr("pools.services.connections._save", crash)
    crashing = Client(raise_request_exception=False)
    crashing.force_login(administrator)
    crashed = crashing.post(reverse("pools:connection_create"), {**form, "name": "leak-crash"})
    assert crashed.status_code == 500
    seen.response("500 page", crashed)
    [logged] = [record for record in caplog.records if record.name == "django.request" and record.exc_info]
    report = technical_500_response(logged.request, *logged.exc_info)
    assert b"the connection service broke" in report.content, "the report should be the technical 500 page"
    seen.response("technical 500 report", report)
    mail = ExceptionReporter(logged.request, *logged.exc_info, is_email=True)
    seen.add("e-mailed error report", mail.get_traceback_text() + mail.get_traceback_html())

    # Where the keys could rest: audit entries, log records, the database.
    for entry in LogEntry.objects.all():
        seen.add(f"audit entry {entry.pk}", f"{entry.object_repr}\n{entry.change_message}")
    assert len(caplog.records) > 0
    json_lines = JsonFormatter(
        **{k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    )
    for index, record in enumerate(caplog.records):
        # The message, and every field a JSON log line (LOG_FORMAT=json) would carry.
        text = record.getMessage() + "\n" + json_lines.format(record)
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        seen.add(f"log record {index} ({record.name})", text)
    database = raw_database()
    assert b"leak-probe" in database, "the scan must see the committed rows"
    seen.add("raw database", database)
    assert Connection.objects.get(pk=connection.pk).secret_key == LEAK_SK, "the probe keys must be stored"

    assert seen.leaks() == []
