"""Settings of the demo (`make demo`, `scripts/demo.sh`, `manage.py demo`): production's, on a laptop.

DEBUG is off, so the demo answers with the project's own 404 and 500 pages (never Django's debug pages with
their stack traces) and serves its static files through whitenoise, as production does. Production takes
its secrets from the environment; the demo takes the development secrets that settings.py generates into
var/ (the same files, so a demo run after development still decrypts the saved connections). It serves plain
HTTP on 127.0.0.1, so it does not redirect to HTTPS or mark cookies Secure-only, and it prints e-mails instead
of sending them. Its /metrics answers requests from this machine (the health endpoints answer anyone, as
everywhere). The environment (or .env) still wins: `DEBUG=true scripts/demo.sh` shows the debug pages.

manage.py picks this module for the `demo` command.
"""

import os
from pathlib import Path

import environ

from modelarts_admin import devkeys

BASE_DIR = Path(__file__).resolve().parent.parent
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")

# The secrets settings.py generates in development, under the same file names in var/.
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": ("secret_key", devkeys.token),
    "FIELD_ENCRYPTION_KEYS": ("field_encryption_key", devkeys.fernet_key),
    "AUDIT_HMAC_KEY": ("audit_hmac_key", devkeys.token),
}
for _name, (_file_name, _make) in DEVELOPMENT_SECRETS.items():
    if not os.environ.get(_name):
        os.environ[_name] = devkeys.read_or_create(VAR_DIR / _file_name, _make)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# /metrics for a Prometheus (or curl) on this machine; the demo listens on 127.0.0.1 only, with no proxy.
os.environ.setdefault("METRICS_ALLOWED_IPS", "127.0.0.1,::1")

from modelarts_admin.settings import *  # noqa: E402, F403

# Plain HTTP on loopback: a browser never sends a Secure-only cookie back over it.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The demo's worker runs the scheduled job every few seconds: its tasks' start and end stay out of the
# console (failures still show).
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405
# The same job reads the estate every few seconds (notifications of failed pools, abnormal nodes, warning
# events): one line per ModelArts call would push the printed logins off the screen at once. Failed calls
# show on the pages and in /metrics; remove this line to see every call on the console.
LOGGING["loggers"]["pools.modelarts"] = {"level": "WARNING"}  # noqa: F405
