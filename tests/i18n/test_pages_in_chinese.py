"""Every page of the permission matrix, read in Simplified Chinese, shows no English of its own.

A string someone forgot to mark for translation, or marked but left untranslated, shows up here as English
(``tests/i18n/page_text.py`` says what counts as data and is left out).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.i18n.page_text import english_left
from tests.views.test_permission_matrix import ADMINISTRATOR, REQUESTER, ROUTES, World, world  # noqa: F401

pytestmark = pytest.mark.django_db

# The role each page is read as: one allowed to see it, the requester for their own request's pages.
PREFERENCE = (ADMINISTRATOR, REQUESTER)


def reader_of(route) -> str | None:
    for role in PREFERENCE:
        if role in route.get:
            return role
    return next(iter(sorted(route.get - {"anonymous"})), None)


def pages() -> list[str]:
    return [name for name, route in ROUTES.items() if not route.admin and route.get_offered and route.get]


def test_every_page_reads_in_chinese(world: World):
    found: dict[str, list[str]] = {}
    for name in pages():
        route = ROUTES[name]
        role = reader_of(route)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if role is not None:
            client.force_login(world.users[role])
        url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        left = english_left(response.content.decode())
        if left:
            found[url] = left
    report = "\n".join(f"{url}: {texts}" for url, texts in found.items())
    assert not found, f"English left on pages read in Chinese (mark it, then translate it):\n{report}"
