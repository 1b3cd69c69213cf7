"""Production settings, checked in subprocesses that start Django with production environment values.

* ``manage.py check --deploy --fail-level WARNING`` passes;
* start-up fails when a required secret is missing;
* ``collectstatic`` fills a fresh STATIC_ROOT through the manifest storage, and WhiteNoise then serves the
  hashed files and the pages render with them, with every security header and cookie flag set.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
HOST = "admin.example.test"
OURS = {
    "DEBUG",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "AUDIT_HMAC_KEY",
    "ALLOWED_HOSTS",
    "VAR_DIR",
    "STATIC_ROOT",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser-test harness sets it in this process; never in production
}


def production_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in OURS}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "modelarts_admin.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": HOST,
            "VAR_DIR": str(tmp_path / "var"),  # no development secret to fall back on
            "STATIC_ROOT": str(tmp_path / "static"),
            "DATABASE_URL": "sqlite://:memory:",
            **variables,
        }
    )
    return environment


def run(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_deploy_check_passes_with_production_values(tmp_path):
    result = run(
        production_environment(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_debug_is_on(tmp_path):
    # The check itself is not toothless: development values fail it.
    result = run(
        production_environment(tmp_path, DEBUG="true"),
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


@pytest.mark.parametrize("name", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "AUDIT_HMAC_KEY"])
def test_start_fails_without_a_required_secret(tmp_path, name):
    # Set but empty, so that a developer's .env cannot fill it in.
    result = run(production_environment(tmp_path, **{name: ""}), "manage.py", "check")
    assert result.returncode != 0
    assert f"{name} must be set in the environment when DEBUG is off" in result.stderr
    assert not (tmp_path / "var").exists(), "no development secret may be generated with DEBUG off"


SERVE = """
import json, re, django
django.setup()
from django.test import Client
from django.templatetags.static import static
client = Client(HTTP_HOST="admin.example.test")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
html = page.content.decode()
css = static("css/app.css")
asset = client.get(css, secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "status": page.status_code,
    "headers": dict(page.headers.items()),
    "cookies": {name: dict(morsel.items()) for name, morsel in page.cookies.items()},
    "css": css,
    "css_in_page": css in html,
    "htmx_in_page": bool(re.search(r"django_htmx/htmx-2\\.min\\.[0-9a-f]{12}\\.js", html)),
    "asset_status": asset.status_code,
    "asset_cache_control": asset.get("Cache-Control", ""),
}))
"""


def test_collectstatic_with_the_manifest_storage_and_serving_in_production(tmp_path):
    environment = production_environment(tmp_path)
    collected = run(environment, "manage.py", "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stdout + collected.stderr

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["css/app.css"]
    assert hashed_css != "css/app.css"
    assert (tmp_path / "static" / hashed_css).exists()
    assert (tmp_path / "static" / (hashed_css + ".gz")).exists(), "WhiteNoise compresses the hashed files"
    assert "admin/js/theme.js" in manifest["paths"]

    served = run(environment, "-c", SERVE)
    assert served.returncode == 0, served.stderr
    facts = json.loads(served.stdout.strip().splitlines()[-1])

    assert facts["plain_status"] == 301 and facts["plain_location"].startswith("https://")
    assert facts["status"] == 200
    assert facts["css_in_page"] and facts["css"].endswith(".css") and facts["css"] != "/static/css/app.css"
    assert facts["htmx_in_page"]
    assert facts["asset_status"] == 200
    assert "immutable" in facts["asset_cache_control"]

    headers = {name.lower(): value for name, value in facts["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "script-src 'self';" in headers["content-security-policy"]

    csrf = facts["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


def test_tls_proxy_header_comes_from_the_environment(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
    )
    result = run(
        production_environment(
            tmp_path,
            SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="600",
        ),
        "-c",
        script,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') False 600"


@pytest.mark.parametrize(
    ("database_url", "kept_for"),
    [("postgres://postgres@127.0.0.1:5432/any", "60"), ("sqlite:///db.sqlite3", "0")],
)
def test_postgresql_connections_are_kept_and_sqlite_ones_are_not(tmp_path, database_url, kept_for):
    script = "import django; django.setup(); from django.conf import settings; d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    result = run(production_environment(tmp_path, DATABASE_URL=database_url), "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{kept_for} True"
