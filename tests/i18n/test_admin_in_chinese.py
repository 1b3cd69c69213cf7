"""Django's admin, read in Simplified Chinese by a superuser, shows no English of ours.

Our part of the admin: the pools app's name, every model the pools app registers (its changelist, add,
change and delete pages), and our LogEntry admin (its columns and fields). Every word counts here, not only
the common ones (``page_text.every_english_word``); what stays English is Django's or a third party's own
text that they leave untranslated, listed in KNOWN_ENGLISH with the reason.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pools import audit
from pools.models import Connection
from tests.i18n.page_text import every_english_word, interface_texts

pytestmark = pytest.mark.django_db

# Regular expression of a text (fullmatch): why it stays English. The list must match exactly what the pages
# show (an entry no page shows any more fails too).
KNOWN_ENGLISH: dict[str, str] = {
    r"Model name|Add link|Change or view list link": (
        "Django 5.2's app list headings (for screen readers), which Django's zh_Hans catalogue does not "
        "translate yet"
    ),
    r".*Tasks Database Backend.*|Task Results|.*\| Task Result": (
        "django-tasks-db's app and model names, which the package does not mark for translation"
    ),
    r"Search": "the alt text of the admin's search icon, which Django's search_form.html writes untranslated",
    r"True|False|None": "the alt text of Django's yes/no icon, the value itself, which Django never translates",
}


def known(text: str) -> str | None:
    return next((pattern for pattern in KNOWN_ENGLISH if re.fullmatch(pattern, text)), None)


def registered_pools_models() -> list[type[models.Model]]:
    return [model for model in admin.site._registry if model._meta.app_label == "pools"]


@pytest.fixture
def superuser_client(django_user_model) -> Client:
    # A username with a hyphen is a name, never an English word.
    superuser = django_user_model.objects.create_superuser("su-root", "su-root@example.test", "pw-su-root-9")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(superuser)
    return client


@pytest.fixture
def objects(connection, django_user_model) -> dict[type[models.Model], models.Model]:
    """One object of each registered pools model (a model registered later must be given one here)."""
    return {Connection: connection}


def admin_pages(objects) -> list[str]:
    pages = [reverse("admin:index"), reverse("admin:app_list", args=["pools"])]
    for model in registered_pools_models():
        names = f"admin:pools_{model._meta.model_name}"
        pk = objects[model].pk
        pages += [
            reverse(f"{names}_changelist"),
            reverse(f"{names}_add"),
            reverse(f"{names}_change", args=[pk]),
            reverse(f"{names}_delete", args=[pk]),
        ]
    entry = LogEntry.objects.order_by("pk").first()
    return [
        *pages,
        reverse("admin:admin_logentry_changelist"),
        reverse("admin:admin_logentry_change", args=[entry.pk]),
    ]


def test_every_registered_pools_model_has_an_object_here(objects):
    assert set(registered_pools_models()) == set(objects)


def test_our_admin_pages_read_in_chinese(superuser_client, objects, django_user_model):
    audit.record(
        user=django_user_model.objects.get(username="su-root"),
        action="connection.create",
        obj=objects[Connection],
        details={"name": objects[Connection].name},
        flag="add",
    )
    found: dict[str, list[str]] = {}
    seen_known: set[str] = set()
    for url in admin_pages(objects):
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        left = [text for text in interface_texts(response.content.decode()) if every_english_word(text)]
        seen_known.update(filter(None, map(known, left)))
        if unknown := [text for text in left if known(text) is None]:
            found[url] = unknown
    report = "\n".join(f"{url}: {texts}" for url, texts in found.items())
    assert not found, f"English left in the admin read in Chinese (mark it, then translate it):\n{report}"
    assert seen_known == set(KNOWN_ENGLISH), "KNOWN_ENGLISH lists English no page shows any more: remove it"


def test_every_model_field_and_name_of_ours_reads_in_chinese():
    english = []
    with translation.override("zh-hans"):
        for model in apps.get_app_config("pools").get_models():
            options = model._meta
            texts = {"verbose_name": options.verbose_name, "verbose_name_plural": options.verbose_name_plural}
            for field in options.get_fields(include_hidden=False):
                if field.concrete and not field.auto_created:
                    texts[f"{field.name}.verbose_name"] = field.verbose_name
                    texts[f"{field.name}.help_text"] = field.help_text
            english += [
                f"{model.__name__} {where}: {text}"
                for where, text in texts.items()
                if every_english_word(str(text))
            ]
    assert english == [], "a model's name or a field's name or help is not marked or not translated"
