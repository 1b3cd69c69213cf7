"""The Simplified Chinese catalogue is complete, compiled, and holds every text the code marks.

- every entry is translated and none is fuzzy (makemessages marks a guessed translation fuzzy: it is not used);
- the committed django.mo is what compiling django.po gives (nothing has to be compiled on a fresh clone);
- makemessages, run afresh over the code and templates, finds exactly the catalogue's texts: a text marked
  since is missing from it, a text no longer in the code is still in it.
"""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.i18n.catalogue import read_catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# What makemessages reads: the project's own code and templates (README, "Languages", runs the same).
SOURCES = ("modelarts_admin", "pools", "templates")
IGNORED = ["pools/sandbox/*", "pools/modelarts/*", "pools/migrations/*"]


def test_every_text_is_translated_and_none_is_fuzzy():
    entries = read_catalogue(CATALOGUE)
    assert len(entries) > 500
    assert [e.msgid for e in entries if not e.translated] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []


def test_the_compiled_catalogue_is_the_committed_one():
    with COMPILED.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = []
    for entry in read_catalogue(CATALOGUE):
        if entry.msgid_plural is None:
            shown = (
                translations.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else translations.gettext(entry.msgid)
            )
        else:
            shown = translations.ngettext(entry.msgid, entry.msgid_plural, 1)
        if shown != entry.msgstr[0]:
            stale.append(entry.msgid)
    assert stale == [], "django.mo is older than django.po: run compilemessages (README, Languages)"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext (apt: gettext)")
def test_the_catalogue_holds_every_marked_text(tmp_path, monkeypatch):
    # makemessages writes next to the sources it finds: give it links to them in a folder of its own.
    for name in SOURCES:
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            symlinks=True,
            ignore_patterns=IGNORED,
            no_location=True,
            verbosity=0,
        )
    fresh = {
        entry.key for entry in read_catalogue(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    }
    committed = {entry.key for entry in read_catalogue(CATALOGUE)}
    assert sorted(fresh - committed, key=str) == [], "marked but not in the catalogue: run makemessages"
    assert sorted(committed - fresh, key=str) == [], "in the catalogue but no longer in the code"
