"""Which language a page is in: the browser's preference, the header's switcher (remembered), dates and
numbers in the language's format."""

import io
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, number_format

from pools.forms.pool_wizard import messages as wizard_text
from pools.modelarts.vocabulary import DISPLAY_NAME_RULE
from pools.services.change_requests import messages
from pools.templatetags.display import billing_period
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_the_browser_preference_picks_chinese():
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5").get(LOGIN)
    html = page.content.decode()
    assert '<html lang="zh-hans"' in html and "用户名" in html and "Username" not in html


def test_english_is_the_default():
    html = Client().get(LOGIN).content.decode()
    assert '<html lang="en"' in html and "Username" in html


def test_the_switcher_remembers_the_choice_over_the_browser_preference(django_user_model):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(django_user_model, "reader", "Viewer"))
    page = client.get(reverse("pools:overview")).content.decode()
    assert 'action="/i18n/setlang/"' in page and 'value="zh-hans"' in page

    answer = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("pools:overview")})
    assert answer.status_code == 302 and answer["Location"] == reverse("pools:overview")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "总览" in client.get(reverse("pools:overview")).content.decode()


def test_the_switcher_works_before_log_in():
    client = Client()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN})
    assert "登录" in client.get(LOGIN).content.decode()


def test_messages_follow_the_active_language():
    assert messages.CANNOT_REQUEST == "You may not request pool changes."
    with translation.override("zh-hans"):
        assert str(messages.CANNOT_REQUEST) == "您无权申请资源池变更。"
        refusal = messages.NOT_PENDING_TO_APPROVE.format(pk=3, status="已批准")
        assert refusal == "变更申请 #3 的状态为已批准；只有待审批的申请可以批准。"


def test_periods_and_dates_are_written_for_the_language():
    assert billing_period("2", "2") == "2 months"
    with translation.override("zh-hans"):
        assert billing_period("2", "2") == "2 个月"
        assert date_format(datetime(2026, 12, 4, tzinfo=UTC)) == "2026年12月4日"
        assert number_format(1234.5, 1) == "1234.5"


def test_management_commands_speak_the_site_language():
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("OK: ")
    with translation.override("zh-hans"):
        call_command("audit_verify", stdout=out)
    assert "OK：已校验 0 条审计日志记录。" in out.getvalue()


def test_the_wizard_states_the_display_name_rule_as_the_client_does():
    assert wizard_text.DISPLAY_NAME_HELP == f"{DISPLAY_NAME_RULE}."
    assert wizard_text.DISPLAY_NAME_INVALID == f"Use {DISPLAY_NAME_RULE}."
