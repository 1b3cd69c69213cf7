"""The demo's settings (modelarts_admin/settings_demo.py): production's, with DEBUG off, on the development
secrets in var/ and over plain HTTP on loopback. Each set of settings is loaded in its own subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = (
    "DEBUG",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "AUDIT_HMAC_KEY",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "EMAIL_BACKEND",
    "STORAGES",
    "METRICS_ALLOWED_IPS",
    "METRICS_TOKEN",
)
PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    f"print(json.dumps({{name: getattr(settings, name, None) for name in {SHOWN!r}}}, default=str))"
)
# Runs manage.py with the given command, but only prints the settings module it chose.
PRINT_CHOICE = (
    "import os, runpy, sys; import django.core.management as management; "
    "management.execute_from_command_line = lambda argv: print(os.environ['DJANGO_SETTINGS_MODULE']); "
    "sys.argv = ['manage.py', sys.argv[1]]; runpy.run_path('manage.py', run_name='__main__')"
)


def python(var_dir: Path, *arguments: str, settings_module: str | None = None) -> str:
    """The output of ``python arguments`` with a newcomer's environment and its own var/ folder."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {*SHOWN, "VAR_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    environment["VAR_DIR"] = str(var_dir)
    if settings_module:
        environment["DJANGO_SETTINGS_MODULE"] = settings_module
    result = subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def settings_of(module: str, var_dir: Path) -> dict:
    return json.loads(python(var_dir, "-c", PRINT_SETTINGS, settings_module=module))


def test_the_demo_runs_with_debug_off_on_the_development_secrets(tmp_path):
    development = settings_of("modelarts_admin.settings", tmp_path)
    demo = settings_of("modelarts_admin.settings_demo", tmp_path)
    assert development["DEBUG"] is True and demo["DEBUG"] is False
    # The same secrets: a demo after development still reads the sessions and decrypts the connections.
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "AUDIT_HMAC_KEY"):
        assert demo[name] == development[name], name
    assert demo["STORAGES"]["staticfiles"]["BACKEND"].endswith("CompressedManifestStaticFilesStorage")
    # Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies that come back, e-mails printed.
    assert demo["SECURE_SSL_REDIRECT"] is False
    assert demo["SESSION_COOKIE_SECURE"] is False and demo["CSRF_COOKIE_SECURE"] is False
    assert demo["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    # Metrics for a scraper on this machine (the demo listens on 127.0.0.1 only); nobody's in development.
    assert demo["METRICS_ALLOWED_IPS"] == ["127.0.0.1", "::1"] and demo["METRICS_TOKEN"] == ""
    assert development["METRICS_ALLOWED_IPS"] == [] and development["METRICS_TOKEN"] == ""


def test_manage_py_picks_the_demo_settings_for_the_demo_command_only(tmp_path):
    assert python(tmp_path, "-c", PRINT_CHOICE, "demo") == "modelarts_admin.settings_demo"
    assert python(tmp_path, "-c", PRINT_CHOICE, "migrate") == "modelarts_admin.settings"
