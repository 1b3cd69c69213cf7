"""Shared fixtures. Each area keeps its own in tests/fixtures/<area>.py, registered here."""

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.audit",
    "tests.fixtures.browser",
    "tests.fixtures.sandbox",
    "tests.fixtures.modelarts",
    "tests.fixtures.wizard",
    "tests.fixtures.connections",
]
