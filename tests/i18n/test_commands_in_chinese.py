"""Each operator command run in Chinese writes Chinese, identifiers aside: what it prints, what it writes to
stderr and the CommandError it stops with. (``demo`` and ``seed_demo``: test_demo_in_chinese.py.)"""

import io
import re
import signal
from datetime import timedelta
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from pools.models import ChangeRequest
from tests.i18n.command_text import english_left
from tests.services.change_requests.helpers import request_delete_pool

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def run_in_chinese(name: str, *arguments: str, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("zh-hans"):
        call_command(name, *arguments, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def refusal_in_chinese(name: str, *arguments: str, **options) -> tuple[str, str]:
    """The CommandError's message, and what was written to stderr before it."""
    err = io.StringIO()
    with translation.override("zh-hans"), pytest.raises(CommandError) as refused:
        call_command(name, *arguments, stdout=io.StringIO(), stderr=err, **options)
    return str(refused.value), err.getvalue()


def assert_chinese(text: str) -> None:
    assert CHINESE.search(text), text
    assert english_left(text) == []


def test_audit_verify(audit_history):
    out, _ = run_in_chinese("audit_verify")
    assert out.strip() == "OK：已校验 4 条审计日志记录。"

    LogEntry.objects.filter(pk=audit_history[1].pk).update(change_message='{"action": "nothing to see"}')
    LogEntry.objects.filter(pk=audit_history[2].pk).delete()
    refusal, err = refusal_in_chinese("audit_verify", expect_at_least=9)
    assert refusal == "审计链已损坏：在 4 条已封存记录中发现 3 个问题。"
    assert f"日志记录 {audit_history[1].pk}（封存序号 2）已被修改" in err
    assert f"日志记录 {audit_history[2].pk}（封存序号 3）已被删除" in err
    assert_chinese(err)


def test_process_change_requests(operator, cloud, cloud_connection):
    request = request_delete_pool(operator, cloud_connection, cloud.add_pool("pool-demo", nodes=3))
    ChangeRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out, err = run_in_chinese("process_change_requests")
    assert f"#{request.pk}：已过期" in out and "已处理变更申请：过期 1，" in out
    assert "通知：已发送 无。" in out and err == ""
    assert_chinese(out)


def test_rotate_encryption_keys(make_connection):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        make_connection("good")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        out, _ = run_in_chinese("rotate_encryption_keys")
        assert out.splitlines() == ["已重新加密连接“good”的密钥。", "已重新加密 1 个连接。"]
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        make_connection("foreign")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        refusal, err = refusal_in_chinese("rotate_encryption_keys")
    assert refusal == "1 个连接无法重新加密；1 个已重新加密。"
    assert "无法用已配置的 FIELD_ENCRYPTION_KEYS 解密连接“foreign”存储的密钥" in err
    assert_chinese(err)


@pytest.fixture
def restored_signals():
    """The worker and the sandbox take over Ctrl-C (and the worker SIGTERM); pytest gets them back."""
    numbers = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    before = {number: signal.getsignal(number) for number in numbers}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


@pytest.mark.usefixtures("database_tasks", "restored_signals")
def test_db_worker(settings):
    settings.CHANGE_REQUEST_JOB_SECONDS = 300
    # The test's transaction must stay open (see tests/fixtures/tasks.py: run_queued_tasks); verbosity 0
    # keeps the package's log lines (English, as logs are) out of the output.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        out, _ = run_in_chinese("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert out.strip() == "定时任务已排队：process_change_requests 现在运行，之后按计划运行。"

    refusal, _ = refusal_in_chinese("db_worker", "--exclude-queues", "notifications", "--no-reload")
    assert refusal == "--exclude-queues 只能与 --queue-name=* 一起使用"


@pytest.mark.usefixtures("restored_signals")
def test_modelarts_sandbox(tmp_path):
    # Ctrl-C at once: the command serves until interrupted.
    with mock.patch(
        "pools.management.commands.modelarts_sandbox.wait_forever", side_effect=KeyboardInterrupt
    ):
        out, _ = run_in_chinese("modelarts_sandbox", "--port", "0", "--seed", "demo")
    lines = out.splitlines()
    assert lines[0].startswith("已向项目 ") and lines[0].endswith(" 个演示资源池。")
    assert re.fullmatch(r"ModelArts 沙箱（项目 \w+）正在监听 http://127\.0\.0\.1:\d+", lines[1])
    assert lines[-1] == "正在停止。"
    assert_chinese(out)

    refusal, _ = refusal_in_chinese("modelarts_sandbox", "--port", "0", "--fault", "{not json")
    assert refusal.startswith("故障规则无效：")  # then the JSON parser's own words
