import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_prints_ok_with_the_count(audit_history, capsys):
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == "OK: 4 audit log entries verified."


def test_empty_log_is_ok(capsys):
    call_command("audit_verify")
    assert "OK: 0 audit log entries verified." in capsys.readouterr().out


def test_tampering_with_one_row_fails_naming_it(audit_history, capsys):
    tampered = audit_history[1]
    LogEntry.objects.filter(pk=tampered.pk).update(change_message='{"action": "nothing to see"}')
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify")
    assert failed.value.returncode == 1
    assert "1 problem(s) in 4 sealed entries" in str(failed.value)
    assert f"log entry {tampered.pk} (seal 2) was changed" in capsys.readouterr().err


def test_exit_status_is_non_zero_as_manage_py_runs_it(audit_history, capsys):
    from django.core.management import execute_from_command_line

    LogEntry.objects.filter(pk=audit_history[0].pk).delete()
    # In-process, as manage.py does: the test database lives in this process's transaction.
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert exited.value.code == 1
    assert f"log entry {audit_history[0].pk} (seal 1) was removed" in capsys.readouterr().err
