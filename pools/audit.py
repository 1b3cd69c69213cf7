"""The one writer of Django admin ``LogEntry`` rows, each sealed into an HMAC chain.

Every entry's ``change_message`` is a JSON object: ``{"action": ..., "details": {...}, "request_id": ...}``.
Callers pass only what may be shown to an auditor: never a secret.

Tamper evidence: each entry gets an ``AuditSeal`` whose digest is HMAC(AUDIT_HMAC_KEY, previous digest +
the entry's fields). ``verify_chain()`` recomputes the chain and reports changed, removed and inserted
entries. Writes are serialised by updating the single ``AuditChainHead`` row first, which takes the write
lock on SQLite and a row lock on PostgreSQL. Once an append commits, its head also goes to the witness
outside the database (pools/audit_witness.py), so that removing the newest entries and rewinding the head
shows too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools import audit_witness
from pools.core.audit_messages import message_for
from pools.models import AuditChainHead, AuditSeal

SYSTEM_USERNAME = "modelarts-admin-system"
FLAGS = {"add": ADDITION, "change": CHANGE, "delete": DELETION}
# Keys that must never reach an audit message, whatever a caller passes.

# What verify_chain says about the witness (pools/audit_witness.py).
WITNESS_MISSING = gettext_lazy(
    "there is no audit witness at {path}, yet the log holds entries: whether the newest were removed cannot "
    "be told"
)
WITNESS_UNREADABLE = gettext_lazy("the audit witness at {path} {reason}: it was changed, replaced or damaged")
WITNESS_AHEAD = gettext_lazy(
    "the witness records {witnessed} sealed entries but the chain holds only {held}: "
    "the newest {missing} entries were removed"
)
WITNESS_DIVERGED = gettext_lazy(
    "seal {sequence} is not the one the witness recorded: the chain was rewritten from there"
)


# The API token the current request acts through (its name), noted in every entry written meanwhile.
_ACTING_TOKEN: ContextVar[str] = ContextVar("acting_api_token", default="")


@contextmanager
def acting_through_token(name: str) -> Iterator[None]:
    """Every entry recorded inside notes ``api_token: name``: what was done through the API shows as such."""
    reset = _ACTING_TOKEN.set(name)
    try:
        yield
    finally:
        _ACTING_TOKEN.reset(reset)


def system_user():
    """The account that signs actions nobody clicked: cron jobs, key rotation, expiry."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "email": ""}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _entry_fields(entry: LogEntry) -> str:
    return json.dumps(
        [
            entry.pk,
            entry.action_time.isoformat(),
            entry.user_id,
            entry.content_type_id,
            entry.object_id,
            entry.object_repr,
            entry.action_flag,
            entry.change_message,
        ],
        default=str,
        ensure_ascii=False,
    )


def _digest(previous: str, entry: LogEntry) -> str:
    key = settings.AUDIT_HMAC_KEY.encode("utf-8")
    return hmac.new(key, (previous + "\n" + _entry_fields(entry)).encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    *,
    user,
    action: str,
    obj: models.Model,
    details: Mapping[str, Any] | None = None,
    request_id: str | None = None,
    flag: str = "change",
) -> LogEntry:
    """Write one sealed LogEntry about ``obj`` (a saved model instance) done by ``user``.

    ``action`` is a dotted name such as ``connection.create`` or ``change_request.approve``.
    """
    if user is None or not getattr(user, "pk", None):
        user = system_user()
    if _ACTING_TOKEN.get():
        details = {**(details or {}), "api_token": _ACTING_TOKEN.get()}
    with transaction.atomic():
        # Take the chain lock before reading the head: an UPDATE locks on both databases.
        AuditChainHead.objects.get_or_create(pk=1)
        AuditChainHead.objects.filter(pk=1).update(sequence=models.F("sequence") + 1)
        head = AuditChainHead.objects.get(pk=1)
        entry = LogEntry.objects.log_actions(
            user.pk,
            [obj],
            FLAGS[flag],
            message_for(action, details, request_id),
            single_object=True,
        )
        entry = LogEntry.objects.get(pk=entry.pk)  # the stored values are what gets sealed
        digest = _digest(head.digest, entry)
        AuditSeal.objects.create(
            sequence=head.sequence, log_entry_id=entry.pk, previous_digest=head.digest, digest=digest
        )
        head.digest = digest
        head.save(update_fields=["digest"])
        # Only a committed head may reach the witness: one of a rolled-back append would stay ahead of the
        # chain. ``robust``: a witness that cannot be written is logged, never undoes the committed action.
        transaction.on_commit(
            partial(audit_witness.advance, sequence=head.sequence, digest=digest), robust=True
        )
    return entry


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(entries: Iterable[LogEntry] | None = None) -> ChainReport:
    """Recompute every seal; report entries changed, removed, inserted or re-ordered, and compare the chain
    with its witness (removed newest entries)."""
    report = ChainReport()
    # The witness first: it is written only after its append committed, so every seal it names is already
    # there for the reads below (read the other way round, an append in between would look like a removal).
    witness = audit_witness.read()
    witnessed_seal_digest = None
    by_id = {e.pk: e for e in (entries if entries is not None else LogEntry.objects.all())}
    sealed: set[int] = set()
    previous = ""
    expected_sequence = 1
    last_sequence = 0
    for seal in AuditSeal.objects.order_by("sequence").iterator():
        last_sequence = seal.sequence
        if isinstance(witness, audit_witness.Witness) and seal.sequence == witness.sequence:
            witnessed_seal_digest = seal.digest
        report.checked += 1
        if seal.sequence != expected_sequence:
            report.problems.append(
                _("seal sequence jumps from {previous} to {sequence}").format(
                    previous=expected_sequence - 1, sequence=seal.sequence
                )
            )
        expected_sequence = seal.sequence + 1
        if seal.previous_digest != previous:
            report.problems.append(
                _("seal {sequence} does not follow the seal before it").format(sequence=seal.sequence)
            )
        entry = by_id.get(seal.log_entry_id)
        sealed.add(seal.log_entry_id)
        if entry is None:
            report.problems.append(
                _("log entry {entry} (seal {sequence}) was removed").format(
                    entry=seal.log_entry_id, sequence=seal.sequence
                )
            )
        elif _digest(seal.previous_digest, entry) != seal.digest:
            report.problems.append(
                _("log entry {entry} (seal {sequence}) was changed").format(
                    entry=seal.log_entry_id, sequence=seal.sequence
                )
            )
        previous = seal.digest
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.digest != previous:
        report.problems.append(_("the newest seals were removed: the chain head does not match"))
    for entry_id in sorted(set(by_id) - sealed):
        report.problems.append(
            _("log entry {entry} has no seal: inserted outside the audit module").format(entry=entry_id)
        )
    report.problems.extend(
        _witness_problems(
            witness, last_sequence, witnessed_seal_digest, log_has_entries=bool(by_id or sealed)
        )
    )
    return report


def _witness_problems(
    witness: audit_witness.Witness | audit_witness.Unreadable | None,
    last_sequence: int,
    witnessed_seal_digest: str | None,
    *,
    log_has_entries: bool,
) -> list[str]:
    path = audit_witness.witness_path()
    if witness is None:
        return [WITNESS_MISSING.format(path=path)] if log_has_entries else []
    if isinstance(witness, audit_witness.Unreadable):
        return [WITNESS_UNREADABLE.format(path=path, reason=witness.reason)]
    if witness.sequence > last_sequence:
        missing = witness.sequence - last_sequence
        return [WITNESS_AHEAD.format(witnessed=witness.sequence, held=last_sequence, missing=missing)]
    if witness.sequence and witnessed_seal_digest != witness.digest:
        return [WITNESS_DIVERGED.format(sequence=witness.sequence)]
    return []
