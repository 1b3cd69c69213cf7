"""Settings for ModelArts Admin.

Everything comes from the environment (django-environ). Development works with no .env at all: SQLite and
generated secrets under the git-ignored var/ folder. With DEBUG off, each required secret must be set, or
start-up fails loudly.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from modelarts_admin import devkeys, redis_cache
from pools.sso import config as sso_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def required_secret(name: str, dev_file: str, make=devkeys.token) -> str:
    """A secret from the environment; in development, one generated once into var/."""
    value = env.str(name, default="")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set in the environment when DEBUG is off.")
    return devkeys.read_or_create(VAR_DIR / dev_file, make)


SECRET_KEY = required_secret("SECRET_KEY", "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "health_check",
    # Before django_tasks_db: pools' db_worker (the package's, which also schedules the change-request job)
    # wins over the package's own.
    "pools",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every later middleware's log lines carry the request's id (pools/observability/request_ids.py).
    "pools.observability.request_ids.RequestIdMiddleware",
    # Around everything else: request counts and latencies for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed here (WhiteNoise compresses only static files). Safe against BREACH: the one secret
    # in a page body, the CSRF token, is masked afresh in every response, and the middleware pads each
    # response with random bytes ("Heal The Breach"). See docs/performance.md.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the one chosen with the header's switcher (a cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # At log-in, the language the person saved with the switcher goes into the cookie (pools/views/languages.py).
    "pools.views.languages.SavedLanguageMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Sliding inactivity expiry without a session write on every request.
    "modelarts_admin.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "modelarts_admin.middleware.ContentSecurityPolicyMiddleware",
    "modelarts_admin.middleware.PrivatePagesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "modelarts_admin.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "modelarts_admin.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# With PostgreSQL, each server thread keeps its connection for a minute instead of connecting for every
# request (a few milliseconds each time); a broken one is noticed before it is used. SQLite connects in a
# fraction of a millisecond and is left to open a file per request.
_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if _IS_SQLITE else 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if _IS_SQLITE:
    # Django's backend, but the database file is created owner-only (0600) before SQLite opens it.
    DATABASES["default"]["ENGINE"] = "modelarts_admin.private_sqlite"
    # Wait for a writer instead of failing at once; approvals and audit write concurrently.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so one that reads before it writes
    # (the audit chain, compare-and-set transitions) waits its turn instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(VAR_DIR / "test-db.sqlite3"))

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://modelarts-admin")}
if CACHES["default"]["BACKEND"] == redis_cache.DJANGO_BACKEND:
    CACHES["default"]["BACKEND"] = redis_cache.BACKEND  # one Redis client per pool, not per operation

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# English and Simplified Chinese (README, "Languages"). Django formats dates and numbers for the active
# language; the catalogue is locale/zh_Hans/LC_MESSAGES/django.po, compiled to the committed django.mo.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
# The site's language: of a browser that prefers neither, of the management commands and of the worker.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}."
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="modelarts-admin@localhost")

# --- ModelArts Admin -------------------------------------------------------------------------------------

# Fernet keys for AK/SK at rest, newest first. Development generates one into var/.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    required_secret("FIELD_ENCRYPTION_KEYS", "field_encryption_key", devkeys.fernet_key)
]
# Key that seals the audit log's HMAC chain.
AUDIT_HMAC_KEY = required_secret("AUDIT_HMAC_KEY", "audit_hmac_key")
# The audit chain's newest seal, kept outside the database (pools/audit_witness.py), on persistent storage.
AUDIT_WITNESS_FILE = Path(env.str("AUDIT_WITNESS_FILE", default=str(VAR_DIR / "audit-witness.json")))

# Signed client
MODELARTS_TIMEOUT_SECONDS = env.float("MODELARTS_TIMEOUT_SECONDS", default=10.0)
MODELARTS_DEADLINE_SECONDS = env.float("MODELARTS_DEADLINE_SECONDS", default=20.0)
MODELARTS_RETRIES = env.int("MODELARTS_RETRIES", default=2)

# Reads: how long a selector keeps an upstream answer.
SELECTOR_CACHE_SECONDS = env.float("SELECTOR_CACHE_SECONDS", default=5.0)
# ... and how long it keeps the last good answer, shown (marked stale) while the API fails.
SELECTOR_STALE_SECONDS = env.float("SELECTOR_STALE_SECONDS", default=86400.0)

# Change requests
CHANGE_REQUEST_EXPIRY_HOURS = env.float("CHANGE_REQUEST_EXPIRY_HOURS", default=72.0)
# How many approvers each kind of change needs (APPROVALS_REQUIRED_<KIND>, e.g. APPROVALS_REQUIRED_SCALE_POOL).
CHANGE_KINDS = (
    "create_pool",
    "delete_pool",
    "delete_nodes",
    "scale_pool",
    "edit_pool",
    "pool_tags",
    "reboot_nodes",
    "drain_nodes",
    "lock_nodes",
    "unlock_nodes",
    "reset_nodes",
    "accept_event",
)
APPROVALS_REQUIRED = {kind: env.int(f"APPROVALS_REQUIRED_{kind.upper()}", default=1) for kind in CHANGE_KINDS}
# A change ModelArts completes later (a scale, a reboot) that is still not complete this long after the call
# is settled as failed, for a person to look at.
CHANGE_REQUEST_FOLLOW_TIMEOUT_MINUTES = env.int("CHANGE_REQUEST_FOLLOW_TIMEOUT_MINUTES", default=120)
# A request still "executing" this long after it started was interrupted (crash, restart): the
# process_change_requests command then settles it by asking the API. Keep it well above the client deadline.
# It is also how long a call whose answer was lost may still land: the change is sent again only when the API
# still shows no sign of it this long after the call.
CHANGE_REQUEST_EXECUTION_GRACE_SECONDS = env.float("CHANGE_REQUEST_EXECUTION_GRACE_SECONDS", default=600.0)
# Background execution (django-tasks): approvals hand the one call to ModelArts to a task queue. The database
# backend keeps the queue in the database and needs a worker (`manage.py db_worker`); the immediate backend
# runs each task in the web request that queued it (no worker, as before background execution).
# Two queues: "default" (change requests, the scheduled job) and "notifications" (deliveries, so that a slow
# chat or mail server can be given a worker of its own: `db_worker --queue-name notifications`).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "notifications"],
    }
}
# How often the worker runs the change-request job (process_change_requests) as a scheduled task; 0: never
# (cron runs the command instead). Needs the database backend.
CHANGE_REQUEST_JOB_SECONDS = env.float("CHANGE_REQUEST_JOB_SECONDS", default=60.0)
# Finished task results (runs, the job's own runs, deliveries) older than this are deleted by the scheduled
# job; 0 keeps them all.
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=14)
# Where links in e-mails point.
DASHBOARD_URL = env.str("DASHBOARD_URL", default="http://127.0.0.1:8000")

# Notifications (pools/services/notifications): each delivery is a task; a destination that fails is tried
# NOTIFICATION_ATTEMPTS times in all, waiting NOTIFICATION_RETRY_SECONDS, then twice as long each time.
NOTIFICATION_ATTEMPTS = env.int("NOTIFICATION_ATTEMPTS", default=4)
NOTIFICATION_RETRY_SECONDS = env.float("NOTIFICATION_RETRY_SECONDS", default=30.0)
NOTIFICATION_TIMEOUT_SECONDS = env.float("NOTIFICATION_TIMEOUT_SECONDS", default=5.0)
# A warning event last seen longer ago than this is not announced (no flood of old warnings when a route is
# added or the job was off).
NOTIFICATION_EVENT_MAX_AGE_MINUTES = env.int("NOTIFICATION_EVENT_MAX_AGE_MINUTES", default=60)

# --- Security ------------------------------------------------------------------------------------------
# Browsers get no JavaScript access to either cookie: htmx sends the CSRF token from the template's
# hx-headers, so nothing needs to read the cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions are read from the cache (written through to the database): no query per request for them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Permission sets come from the cache (pools/auth_backends.py); changes through the ORM apply at once, others
# (bulk updates, SQL) after this long.
AUTHENTICATION_BACKENDS = ["pools.auth_backends.CachedPermissionsBackend"]
PERMISSIONS_CACHE_SECONDS = env.int("PERMISSIONS_CACHE_SECONDS", default=60)
# Sessions end after this long without a request (the activity middleware slides it) or with the browser.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# How often the sliding expiry is written back; a write per request would contend with the audit writes.
SESSION_ACTIVITY_REFRESH_SECONDS = env.int("SESSION_ACTIVITY_REFRESH_SECONDS", default=60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy
# always sets that header, or a client could claim https).
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER"))
# How many proxies in front of us append to X-Forwarded-For; 0 means REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Failed log-ins (pools/services/login_throttle.py): after this many failures of one username from one
# address, or this many from one address whatever the usernames, within the window, further attempts from
# there are refused without checking the password until the window has passed. The first limit also counts
# a signed-in session's wrong passwords (approving, changing the password).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_ADDRESS_LIMIT = env.int("LOGIN_FAILURE_ADDRESS_LIMIT", default=50)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)

# Single sign-on through the company's OpenID Connect provider (pools/sso/, docs/sso.md). Off by default.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
# Each endpoint set here wins; the others are discovered from OIDC_OP_ISSUER/.well-known/openid-configuration.
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
try:
    OIDC_GROUP_ROLES = sso_config.parse_group_roles(env.str("OIDC_GROUP_ROLES", default=""))
except sso_config.SsoConfigurationError as error:
    raise ImproperlyConfigured(str(error)) from None
OIDC_REAUTH_MAX_AGE_SECONDS = env.int("OIDC_REAUTH_MAX_AGE_SECONDS", default=300)
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_LOGOUT_AT_IDP = env.bool("OIDC_LOGOUT_AT_IDP", default=True)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=10.0)
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the log-out at the IdP
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
# Local passwords: LOCAL_LOGIN=off leaves only the break-glass administrator named here (audited, logged).
LOCAL_LOGIN = env.bool("LOCAL_LOGIN", default=True)
LOCAL_LOGIN_BREAK_GLASS_USERNAME = env.str("LOCAL_LOGIN_BREAK_GLASS_USERNAME", default="")
if OIDC_ENABLED:
    if not (OIDC_OP_ISSUER and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "OIDC_ENABLED needs OIDC_OP_ISSUER, OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET."
        )
    if OIDC_RP_SIGN_ALGO not in sso_config.ASYMMETRIC_ALGORITHMS:
        raise ImproperlyConfigured("OIDC_RP_SIGN_ALGO must be an asymmetric algorithm such as RS256.")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "pools.sso.backend.SsoBackend"]
if not LOCAL_LOGIN and not OIDC_ENABLED and not LOCAL_LOGIN_BREAK_GLASS_USERNAME:
    raise ImproperlyConfigured("LOCAL_LOGIN=off with single sign-on off would let nobody log in.")

# Content-Security-Policy sent with every response (see modelarts_admin/middleware.py).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        # The log-out form's redirect to the IdP's log-out page is a form action too.
        "form-action 'self'" + (f" {sso_config.origin(OIDC_OP_ISSUER)}" if OIDC_ENABLED else ""),
        "object-src 'none'",
    ]
)

# The REST API (/api/v1/, pools/api/): personal tokens only; the pages' session does not reach it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["pools.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pools.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["pools.api.throttling.PersonRateThrottle"],
}
# API calls per person and period (s, min, hour or day), counted in the cache; more answer 429. Empty: no limit.
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="600/min")
if API_THROTTLE_USER and not re.fullmatch(
    r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_USER
):
    raise ImproperlyConfigured(f"API_THROTTLE_USER must be like 600/min, not {API_THROTTLE_USER!r}.")
SPECTACULAR_SETTINGS = {
    "TITLE": "ModelArts Admin API",
    "DESCRIPTION": "Read pools, nodes, usage and monitoring; file, comment on and cancel change requests. "
    "Send `Authorization: Bearer <token>` with a token from the API tokens page.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the vendored files of drf-spectacular-sidecar: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Approving and rejecting through the API with tokens that carry the "approve" scope. Off: approving stays
# with people in the browser (who type their password again).
API_APPROVAL_TOKENS = env.bool("API_APPROVAL_TOKENS", default=False)
# Tokens that approve must expire within this many days; any token within API_TOKEN_MAX_DAYS.
API_APPROVAL_TOKEN_MAX_DAYS = env.int("API_APPROVAL_TOKEN_MAX_DAYS", default=7)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

# --- Observability (docs/observability.md) ----------------------------------------------------------------
# /metrics is served to a scraper that sends "Authorization: Bearer <METRICS_TOKEN>" or comes from one of
# METRICS_ALLOWED_IPS (addresses or networks; the client address as TRUSTED_PROXY_COUNT says); with neither
# set, to nobody. The demo allows 127.0.0.1 and ::1.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
# The readiness check of each connection's ModelArts gives up (and reports a timeout) after this long.
HEALTH_UPSTREAM_TIMEOUT_SECONDS = env.float("HEALTH_UPSTREAM_TIMEOUT_SECONDS", default=3.0)
# Probes and scrapers talk to the process directly, often over plain HTTP inside the network: no redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]

# Logs: "plain" lines, or "json" (one object per line, python-json-logger), each with the request's id.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "pools.observability.request_ids.RequestIdFilter"},
        "quiet_refusals": {"()": "pools.observability.refusals.QuietRefusalFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # apprise's debug lines quote chat URLs, which hold their tokens: never below WARNING.
        "apprise": {"level": "WARNING"},
        # Django's own handlers (a DEBUG-only console, the runserver access lines) would write these lines a
        # second time, without the request id and never as JSON: they go through the console handler only.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # A 403 is the permission check working: one line (method, path, user), not a traceback each time.
        "django.request": {"handlers": [], "filters": ["quiet_refusals"], "propagate": True},
    },
}
