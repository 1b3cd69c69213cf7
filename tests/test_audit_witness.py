"""The audit chain's witness outside the database: removing the newest entries (with their seals, the head
rewound) is detected, and the witness itself cannot be lowered, forged or left behind by a rollback.

These tests commit for real (``transaction=True``): the witness is written after each append commits."""

import json
import logging
import stat

import pytest
from django.contrib.admin.models import LogEntry
from django.db import transaction

from pools import audit, audit_witness
from pools.models import AuditChainHead, AuditSeal, Connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target():
    connection = Connection(name="witnessed", region="cn-north-4", project_id="a" * 32)
    connection.access_key = "AKWITNESSTEST0000001"
    connection.secret_key = "SKWITNESSTEST-secret"
    connection.save()
    return connection


def append(administrator, target, count):
    for n in range(count):
        audit.record(user=administrator, action="connection.test", obj=target, details={"n": n})


def remove_newest(count):
    """What someone with database access and no key can do: delete the newest rows and seals, rewind the head
    to the seal now newest, so that the chain left is complete and valid."""
    seals = list(AuditSeal.objects.order_by("-sequence")[:count])
    LogEntry.objects.filter(pk__in=[seal.log_entry_id for seal in seals]).delete()
    AuditSeal.objects.filter(pk__in=[seal.pk for seal in seals]).delete()
    newest = AuditSeal.objects.order_by("-sequence").first()
    AuditChainHead.objects.filter(pk=1).update(
        sequence=newest.sequence if newest else 0, digest=newest.digest if newest else ""
    )


def test_each_committed_append_moves_the_witness_and_logs_the_head(administrator, target, caplog):
    with caplog.at_level(logging.INFO, logger="pools.audit"):
        append(administrator, target, 3)

    witness = audit_witness.read()
    head = AuditChainHead.objects.get(pk=1)
    assert (witness.sequence, witness.digest) == (3, head.digest)
    assert f"audit chain head: seal 3, digest {head.digest}" in caplog.text
    assert audit.verify_chain().ok


def test_the_witness_file_is_owner_only_and_no_temporary_file_is_left(
    administrator, target, audit_witness_file
):
    append(administrator, target, 2)
    assert stat.S_IMODE(audit_witness_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in audit_witness_file.parent.iterdir()) == [
        "audit-witness.json",
        "audit-witness.json.lock",
    ]


def test_removing_the_newest_entries_and_rewinding_the_head_is_detected(administrator, target):
    append(administrator, target, 5)
    remove_newest(2)

    report = audit.verify_chain()

    assert report.checked == 3
    assert report.problems == [audit.WITNESS_AHEAD.format(witnessed=5, held=3, missing=2)]


def test_emptying_every_table_is_detected(administrator, target):
    append(administrator, target, 4)
    LogEntry.objects.all().delete()
    AuditSeal.objects.all().delete()
    AuditChainHead.objects.all().delete()

    assert audit.verify_chain().problems == [audit.WITNESS_AHEAD.format(witnessed=4, held=0, missing=4)]


def test_the_removal_stays_detected_after_new_entries_pass_the_witnessed_count(administrator, target, caplog):
    append(administrator, target, 5)
    remove_newest(2)
    with caplog.at_level(logging.ERROR, logger="pools.audit"):
        append(administrator, target, 3)  # the chain is at seal 6 again, but seal 5 is a different one

    assert audit_witness.read().sequence == 5, "a rewritten chain must not move the witness"
    assert "no longer holds seal 5" in caplog.text
    assert audit.verify_chain().problems == [audit.WITNESS_DIVERGED.format(sequence=5)]


def test_a_rolled_back_append_leaves_the_witness_where_it_was(administrator, target):
    append(administrator, target, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(user=administrator, action="connection.test", obj=target)
        raise RuntimeError("the action failed after its audit entry")

    assert audit_witness.read().sequence == 1
    assert audit.verify_chain().ok
    append(administrator, target, 1)
    assert audit_witness.read().sequence == 2


def test_a_missing_witness_while_entries_exist_is_reported(administrator, target, audit_witness_file):
    append(administrator, target, 2)
    audit_witness_file.unlink()

    assert audit.verify_chain().problems == [audit.WITNESS_MISSING.format(path=audit_witness_file)]


def test_no_entries_and_no_witness_is_fine():
    assert audit.verify_chain().ok


def test_a_witness_lowered_without_the_key_is_reported_and_kept(administrator, target, audit_witness_file):
    append(administrator, target, 4)
    forged = json.loads(audit_witness_file.read_text())
    forged["sequence"] = 2
    audit_witness_file.write_text(json.dumps(forged))

    problem = audit.WITNESS_UNREADABLE.format(path=audit_witness_file, reason="does not match its seal")
    assert audit.verify_chain().problems == [problem]
    append(administrator, target, 1)
    assert json.loads(audit_witness_file.read_text()) == forged, "the evidence is not overwritten"


def test_a_witness_that_is_not_one_is_reported(administrator, target, audit_witness_file):
    append(administrator, target, 1)
    audit_witness_file.write_text("{}")
    problem = audit.WITNESS_UNREADABLE.format(path=audit_witness_file, reason="is not a witness file")
    assert audit.verify_chain().problems == [problem]


def test_an_older_head_arriving_late_never_lowers_the_witness(administrator, target):
    append(administrator, target, 3)
    older = AuditSeal.objects.get(sequence=2)
    # Two appends commit one after the other; the first one's witness write may run last.
    audit_witness.advance(sequence=older.sequence, digest=older.digest)
    assert audit_witness.read().sequence == 3
