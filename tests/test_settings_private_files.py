"""var/ and the SQLite database are owner-only, like the secrets in them (a shared host's other accounts
must not read password hashes, sessions or the audit log)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from modelarts_admin import devkeys
from pools.sandbox import persistence

ROOT = Path(__file__).resolve().parent.parent
OURS = {"DEBUG", "VAR_DIR", "DATABASE_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "AUDIT_HMAC_KEY"}
# Opens the development database and writes to it, as runserver's first request would.
OPEN_DATABASE = (
    "import django; django.setup(); from django.db import connection; "
    "connection.cursor().execute('create table if not exists probe (x integer)')"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def start_development(var_dir: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key not in OURS}
    environment.update(DJANGO_SETTINGS_MODULE="modelarts_admin.settings", DEBUG="true", VAR_DIR=str(var_dir))
    result = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask(0o022); {OPEN_DATABASE}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def usual_umask():
    previous = os.umask(0o022)  # the common default, under which files come out world-readable
    yield
    os.umask(previous)


def test_a_fresh_var_folder_its_database_and_secrets_are_owner_only(tmp_path):
    var_dir = tmp_path / "var"
    start_development(var_dir)

    assert mode(var_dir) == 0o700
    assert mode(var_dir / "db.sqlite3") == 0o600
    assert (var_dir / "db.sqlite3").stat().st_size > 0, "SQLite used the file made for it"
    for secret in ("secret_key", "field_encryption_key", "audit_hmac_key"):
        assert mode(var_dir / secret) == 0o600, secret


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path):
    var_dir = tmp_path / "var"
    start_development(var_dir)
    (var_dir / "db.sqlite3").chmod(0o644)

    start_development(var_dir)

    assert mode(var_dir / "db.sqlite3") == 0o600


def test_the_demo_password_file_and_its_new_folder_are_owner_only(tmp_path, usual_umask):
    path = tmp_path / "var" / "demo_password"
    devkeys.read_or_create(path, lambda: "demo-password")
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_the_sandbox_state_file_and_its_new_folder_are_owner_only(tmp_path, usual_umask):
    path = tmp_path / "var" / "sandbox-state.json"
    persistence.save(path, {"pools": []})
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="DATABASE_URL does not point at SQLite")
def test_the_test_database_is_owner_only_too():
    name = connection.settings_dict["NAME"]
    if name.startswith("file:") or name == ":memory:":
        pytest.skip("an in-memory database has no file")
    assert mode(Path(name)) == 0o600
