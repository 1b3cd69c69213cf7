"""With DEBUG off, start-up fails without encryption keys and with malformed ones, and works with good ones."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def start_django(tmp_path, **variables) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FIELD_ENCRYPTION_KEYS", "SECRET_KEY", "AUDIT_HMAC_KEY", "DEBUG", "VAR_DIR"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "modelarts_admin.settings",
            "DEBUG": "false",
            "VAR_DIR": str(tmp_path),  # no development keys to fall back on
            "SECRET_KEY": "production-like-secret-key-for-this-test-only-0123456789",
            "AUDIT_HMAC_KEY": "production-like-audit-key-0123456789",
            "FIELD_ENCRYPTION_KEYS": "",  # set, so that a developer's .env cannot fill it in
            **variables,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_fails_clearly_without_encryption_keys(tmp_path):
    result = start_django(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS must be set in the environment when DEBUG is off" in result.stderr
    assert not list(tmp_path.iterdir()), "no development key may be generated with DEBUG off"


def test_start_fails_clearly_with_a_malformed_key(tmp_path):
    result = start_django(tmp_path, FIELD_ENCRYPTION_KEYS="not-a-fernet-key")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key" in result.stderr


def test_start_succeeds_with_keys_newest_first(tmp_path):
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    result = start_django(tmp_path, FIELD_ENCRYPTION_KEYS=keys)
    assert result.returncode == 0, result.stderr
