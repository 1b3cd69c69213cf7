"""Every page of the permission matrix, read in Simplified Chinese, shows no English of its own.

A string someone forgot to mark for translation, or marked but left untranslated, shows up here as English
(``tests/i18n/page_text.py`` says what counts as data and is left out).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.i18n.page_text import english_left
from tests.views import test_permission_matrix as matrix
from tests.views.test_permission_matrix import ADMINISTRATOR, REQUESTER, ROUTES, World

# The permission matrix's objects (a pool, a pending request, a user per role), as a fixture here too.
matrix_world = matrix.world

pytestmark = pytest.mark.django_db

# The role each page is read as: one allowed to see it, the requester for their own request's pages.
PREFERENCE = (ADMINISTRATOR, REQUESTER)


# English that stays for now, each with its reason (a regular expression of the text: why it stays); the list
# must match exactly (an entry that no page shows any more fails too). None stays today.
KNOWN_ENGLISH: dict[str, str] = {}


def known(text: str) -> str | None:
    return next((pattern for pattern in KNOWN_ENGLISH if re.fullmatch(pattern, text)), None)


def reader_of(route) -> str | None:
    for role in PREFERENCE:
        if role in route.get:
            return role
    return next(iter(sorted(route.get - {"anonymous"})), None)


def pages() -> list[str]:
    return [name for name, route in ROUTES.items() if not route.admin and route.get_offered and route.get]


def test_every_page_reads_in_chinese(matrix_world: World):
    world = matrix_world
    found: dict[str, list[str]] = {}
    seen_known: set[str] = set()
    for name in pages():
        route = ROUTES[name]
        role = reader_of(route)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if role is not None:
            client.force_login(world.users[role])
        url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        left = english_left(response.content.decode())
        seen_known.update(filter(None, map(known, left)))
        if unknown := [text for text in left if known(text) is None]:
            found[url] = unknown
    report = "\n".join(f"{url}: {texts}" for url, texts in found.items())
    assert not found, f"English left on pages read in Chinese (mark it, then translate it):\n{report}"
    assert seen_known == set(KNOWN_ENGLISH), "KNOWN_ENGLISH lists English no page shows any more: remove it"
