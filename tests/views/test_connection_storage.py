"""Plaintext keys never reach the database: read the SQLite file's bytes, or a pg_dump of the test database.

The connections are created through the pages, committed (transactional test), then searched for.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection as db
from django.urls import reverse

from pools.models import Connection
from tests.fixtures.connections import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

# Not serialized_rollback: restoring the serialized database collides with the content types that the flush
# after any other transactional test (browser tests, concurrency tests) has already recreated.
pytestmark = pytest.mark.django_db(transaction=True)

SECOND_AK = "AKSECONDPLAIN0077ZZ"
SECOND_SK = "SKsecond-plain-secret-0077-never-stored"
REPLACED_SK = "SKreplacement-plain-secret-0078"
SECRETS = [FAKE_ACCESS_KEY, FAKE_SECRET_KEY, SECOND_AK, SECOND_SK, REPLACED_SK]


def create_through_the_pages(client):
    form = {
        "name": "stored-one",
        "region": "cn-north-4",
        "project_id": "0123456789abcdef0123456789abcdef",
        "workspace_id": "0",
        "access_key": FAKE_ACCESS_KEY,
        "secret_key": FAKE_SECRET_KEY,
    }
    assert client.post(reverse("pools:connection_create"), form).status_code == 302
    second = {**form, "name": "stored-two", "access_key": SECOND_AK, "secret_key": SECOND_SK}
    assert client.post(reverse("pools:connection_create"), second).status_code == 302
    # An edit that replaces the SK, so the update path is covered as well.
    pk = Connection.objects.get(name="stored-two").pk
    edited = {**second, "access_key": "", "secret_key": REPLACED_SK}
    assert client.post(reverse("pools:connection_edit", args=[pk]), edited).status_code == 302


def assert_holds_no_secret(blob: bytes):
    assert b"stored-one" in blob and b"stored-two" in blob  # we are looking at the right data
    for secret in SECRETS:
        assert secret.encode() not in blob, "a plaintext key is stored"


@pytest.mark.skipif(db.vendor != "sqlite", reason="DATABASE_URL does not point at SQLite")
def test_sqlite_file_holds_no_plaintext_key(admin_client_):
    create_through_the_pages(admin_client_)
    path = Path(db.settings_dict["NAME"])
    assert path.is_file(), "the SQLite test database should be a file (TEST NAME in settings)"
    blob = b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-journal")
        if Path(f"{path}{suffix}").exists()
    )
    assert_holds_no_secret(blob)


@pytest.mark.skipif(db.vendor != "postgresql", reason="DATABASE_URL does not point at PostgreSQL")
def test_postgresql_dump_holds_no_plaintext_key(admin_client_):
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is not installed; it is needed to check the PostgreSQL dump")
    create_through_the_pages(admin_client_)
    settings = db.settings_dict
    environment = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        pg_dump,
        "--data-only",
        "--dbname",
        settings["NAME"],
        "--username",
        settings.get("USER") or "postgres",
    ]
    if settings.get("HOST"):
        command += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    dump = subprocess.run(command, env=environment, capture_output=True, check=True, timeout=120).stdout
    assert_holds_no_secret(dump)
