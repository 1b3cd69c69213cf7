"""``demo`` and ``seed_demo`` in either language: the words follow the operator's language, the logins and
keys they print stay right, and in English the demo prints exactly what the README shows."""

import io
import re
import socket
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import translation

from pools.management.commands import demo
from pools.sandbox import DEFAULT_ACCOUNT
from pools.services.demo import DEMO_USERS
from pools.webhooks.receiver import Delivery
from tests.i18n.command_text import english_left
from tests.test_readme import demo_printout

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-for-tests-1"
PASSWORD_WORD = {"en": "password: ", "zh-hans": "密码："}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def run_demo(settings, tmp_path, monkeypatch):
    """``manage.py demo`` up to serving: no migrate, collectstatic, worker or server (the test has them)."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)

    def run(language: str) -> str:
        out = io.StringIO()
        with mock.patch.object(demo, "call_command"), mock.patch.object(demo, "start_worker"):
            with translation.override(language):
                call_command("demo", port=free_port(), sandbox_port=0, stdout=out)
        return out.getvalue()

    return run


def assert_logins_work(output: str, language: str) -> None:
    """Every demo user is printed with its role and a password that logs it in."""
    word = re.escape(PASSWORD_WORD[language])
    printed = re.findall(rf"^  (\S+) +(\S+) +{word}(\S+)$", output, re.MULTILINE)
    assert [(username, role) for username, role, _ in printed] == [(u, r) for u, r, _ in DEMO_USERS]
    for username, _, password in printed:
        assert authenticate(username=username, password=password) is not None, username


def normalised(printout: str) -> str:
    printout = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", printout)
    return re.sub(r"password: \S+", "password: PASSWORD", printout).strip()


def test_in_english_the_demo_prints_what_the_readme_shows(run_demo):
    output = run_demo("en")
    assert normalised(output) == normalised(demo_printout())
    assert_logins_work(output, "en")


def test_in_chinese_the_demo_prints_chinese_and_the_same_logins_and_keys(run_demo):
    output = run_demo("zh-hans")
    assert english_left(output) == []
    assert re.search(r"^ModelArts Admin 演示： +http://127\.0\.0\.1:\d+/$", output, re.MULTILINE)
    assert_logins_work(output, "zh-hans")
    for label, value in (
        ("项目 ID", DEFAULT_ACCOUNT.project_id),
        ("访问密钥（AK）", DEFAULT_ACCOUNT.ak),
        ("私有访问密钥（SK）", DEFAULT_ACCOUNT.sk),
    ):
        assert re.search(rf"^  {re.escape(label)} +{re.escape(value)}$", output, re.MULTILINE), label


def test_the_demos_refusals_and_webhook_lines_in_chinese():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with translation.override("zh-hans"), pytest.raises(CommandError) as refused:
            call_command("demo", port=port)
    assert str(refused.value).startswith(f"127.0.0.1 的端口 {port} 已被占用")
    assert english_left(str(refused.value)) == []

    out = io.StringIO()
    command = demo.Command(stdout=out)
    payload = {"event": "request_approved", "subject": "#3"}
    with translation.override("zh-hans"):
        command._print_delivery(Delivery("/hook", {}, b"", payload, ""))
        command._print_delivery(Delivery("/hook", {}, b"", None, ""))
    assert out.getvalue().splitlines() == [
        "webhook：request_approved：#3（签名已验证）",
        "webhook：拒绝了一次投递：",
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_seed_demo_prints_logins_that_work(language, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    out = io.StringIO()
    with translation.override(language):
        call_command("seed_demo", "--sandbox-url", "http://127.0.0.1:1", stdout=out)
    assert_logins_work(out.getvalue(), language)
    if language == "zh-hans":
        assert out.getvalue().startswith("连接“Sandbox (demo)” -> http://127.0.0.1:1\n演示登录账号：\n")
        assert english_left(out.getvalue()) == []
    else:
        assert out.getvalue().startswith("Connection “Sandbox (demo)” -> http://127.0.0.1:1\nDemo logins:\n")
