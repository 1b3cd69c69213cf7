import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from pools.management.commands.audit_verify import FEWER_THAN_EXPECTED
from pools.models import AuditChainHead, AuditSeal

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


# --- The newest entries, checked against the witness outside the database ----------------------------------


def rewind_to(sequence):
    """Delete every entry and seal after ``sequence`` and rewind the head to it, as database access allows."""
    removed = AuditSeal.objects.filter(sequence__gt=sequence)
    LogEntry.objects.filter(pk__in=removed.values_list("log_entry_id", flat=True)).delete()
    removed.delete()
    newest = AuditSeal.objects.filter(sequence=sequence).first()
    AuditChainHead.objects.update(sequence=sequence, digest=newest.digest if newest else "")


@pytest.mark.django_db(transaction=True)
def test_deleting_the_newest_entries_and_rewinding_the_head_fails(audit_history, capsys):
    rewind_to(2)
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify")
    assert "1 problem(s) in 2 sealed entries" in str(failed.value)
    assert "the newest 2 entries were removed" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_emptying_all_three_tables_fails_when_the_witness_says_there_were_entries(audit_history, capsys):
    LogEntry.objects.all().delete()
    AuditSeal.objects.all().delete()
    AuditChainHead.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("audit_verify")
    assert "the witness records 4 sealed entries but the chain holds only 0" in capsys.readouterr().err


def test_expect_at_least_passes_with_enough_entries(audit_history, capsys):
    call_command("audit_verify", "--expect-at-least", "4")
    assert capsys.readouterr().out.strip() == "OK: 4 audit log entries verified."


def test_expect_at_least_fails_with_fewer_entries(audit_history, capsys):
    with pytest.raises(CommandError):
        call_command("audit_verify", "--expect-at-least", "5")
    assert FEWER_THAN_EXPECTED.format(checked=4, expected=5) in capsys.readouterr().err


def test_expect_at_least_catches_an_emptied_log_without_its_witness(
    audit_history, audit_witness_file, capsys
):
    # Everything gone, the witness file too: only a count kept elsewhere (the log, the last run) tells.
    LogEntry.objects.all().delete()
    AuditSeal.objects.all().delete()
    AuditChainHead.objects.all().delete()
    audit_witness_file.unlink(missing_ok=True)
    call_command("audit_verify")
    assert "OK: 0 audit log entries verified." in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("audit_verify", "--expect-at-least", "4")
    assert FEWER_THAN_EXPECTED.format(checked=0, expected=4) in capsys.readouterr().err
