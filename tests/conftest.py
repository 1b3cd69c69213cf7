"""Shared fixtures. Each area keeps its own in tests/fixtures/<area>.py, registered here."""

import pytest
from django.conf import settings
from django.utils import translation

# Tests create and flush their databases while live servers and helper threads run: every thread connects
# afresh (production keeps PostgreSQL connections for CONN_MAX_AGE; test_settings_production checks that).
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.audit",
    "tests.fixtures.browser",
    "tests.fixtures.sandbox",
    "tests.fixtures.modelarts",
    "tests.fixtures.security",
    "tests.fixtures.wizard",
    "tests.fixtures.connections",
    "tests.fixtures.approvals",
    "tests.fixtures.caches",
    "tests.fixtures.pool_pages",
    "tests.fixtures.api",
    "tests.fixtures.tasks",
]


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A page requested in Chinese leaves Chinese active in the test's thread (LocaleMiddleware activates the
    language and nothing deactivates it): every test starts and ends in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests create many users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
