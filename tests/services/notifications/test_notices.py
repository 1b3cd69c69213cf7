"""A notice in every language: every event named in each language the site offers, dates written the
language's way, one notice (one id, one time) written once per language with the same machine-readable
fields; the examples of docs/notifications.md are what the code sends."""

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from pools.models.notifications import EVENTS
from pools.services.notifications.notices import (
    TEST_EVENT,
    Notice,
    event_name,
    in_every_language,
    in_language,
    moment,
)
from pools.services.notifications.watch import _failed_pool
from tests.services.notifications.conftest import english_words

OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("event", [*EVENTS, TEST_EVENT])
def test_every_event_has_a_name_in_every_language(event, language):
    with translation.override("en"):
        english = event_name(event)
    with translation.override(language):
        translated = event_name(event)
    assert translated != english, f"{event!r} has no {language} name: translate {english!r} in the catalogue"


def test_every_chinese_event_name_is_chinese():
    with translation.override("zh-hans"):
        names = [event_name(event) for event in [*EVENTS, TEST_EVENT]]
    assert [name for name in names if english_words(name, [])] == []


def test_a_moment_is_written_the_languages_way_in_utc():
    beijing = timezone(timedelta(hours=8))
    value = datetime(2026, 12, 4, 22, 5, tzinfo=beijing)  # 14:05 UTC
    with translation.override("en"):
        assert moment(value) == "Dec. 4, 2026 14:05 UTC"
    with translation.override("zh-hans"):
        assert moment(value) == "2026年12月4日 14:05 UTC"


def write_notice() -> Notice:
    return Notice(
        event="pool_failed",
        connection_id=7,
        connection_name="prod",
        subject=gettext("Pool failed: {display_name} ({phase})").format(display_name="p", phase="Error"),
        lines=(moment(datetime(2026, 12, 4, 14, 5, tzinfo=UTC)),),
        data={"pool": {"name": "p-1", "phase": "Error"}},
    )


def test_one_notice_is_written_once_per_language_with_one_id_and_time():
    notices = in_every_language(write_notice)

    assert sorted(notices) == sorted(code for code, _name in settings.LANGUAGES)
    english, chinese = notices["en"], notices["zh-hans"]
    assert (english.language, chinese.language) == ("en", "zh-hans")
    assert (english.subject, chinese.subject) == ("Pool failed: p (Error)", "资源池失败：p（Error）")
    assert (english.event_name, chinese.event_name) == ("A pool failed", "资源池失败")
    assert chinese.lines == ("2026年12月4日 14:05 UTC",)
    machine = ("version", "id", "event", "occurred_at", "connection", "url", "data")
    assert {f: english.payload()[f] for f in machine} == {f: chinese.payload()[f] for f in machine}


def test_a_notice_travels_through_the_queue_unchanged():
    with translation.override("zh-hans"):
        notice = write_notice()
    assert Notice.from_json(notice.to_json()) == notice
    with translation.override("en"):  # read back elsewhere, it keeps its own language's words
        assert Notice.from_json(notice.to_json()).event_name == "资源池失败"


def test_a_language_not_written_falls_back_to_the_sites():
    notices = in_every_language(write_notice)
    assert in_language(notices, "fr") is notices[settings.LANGUAGE_CODE]
    assert in_language(notices, "zh-hans") is notices["zh-hans"]


DOCUMENTED = Path(__file__).resolve().parents[3] / "docs" / "notifications.md"


def test_the_documented_examples_have_exactly_the_fields_sent():
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOCUMENTED.read_text(), re.S)]
    sent = Notice(event="pool_failed", connection_id=1, connection_name="c", subject="s", lines=())
    pool = SimpleNamespace(name="p-1", display_name="p", phase="Error", workspace_id="0")

    assert [example["language"] for example in examples] == ["en", "zh-hans"]
    for example in examples:
        assert set(example) == {*sent.payload(), "timestamp"}
        assert example["event"] == "pool_failed" and example["data"].keys() == _failed_pool(pool).data.keys()
        assert example["data"]["pool"].keys() == _failed_pool(pool).data["pool"].keys()
    english, chinese = examples
    machine = ("version", "id", "event", "occurred_at", "timestamp", "connection", "url", "data")
    assert {f: english[f] for f in machine} == {f: chinese[f] for f in machine}
    with translation.override("zh-hans"):
        assert chinese["event_name"] == event_name("pool_failed")
