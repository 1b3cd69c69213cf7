"""The audit chain's witness: its newest seal, kept outside the database the chain lives in.

The chain (pools/audit.py) shows a changed, removed or inserted entry, but someone with database access can
delete the newest entries with their seals and rewind the head row: what is left is a shorter, valid chain.
So after every append commits, the new head (its sequence number and digest) is also written

- to a file, ``AUDIT_WITNESS_FILE`` (default ``VAR_DIR/audit-witness.json``): replaced atomically (a
  temporary file renamed over it, under a lock), owner-only, and sealed with ``AUDIT_HMAC_KEY`` so that it
  cannot be forged or lowered without the key;
- to the application log (logger ``pools.audit``), for a copy kept wherever the logs go.

The file only moves forward: a head lower than the witnessed one never replaces it, and neither does one
whose chain no longer holds the witnessed seal (the chain was rewritten) or a witness that fails its seal:
the evidence stays until someone who has looked at it deletes the file. ``verify_chain`` compares the chain
with the witness.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pools.models import AuditSeal

logger = logging.getLogger("pools.audit")

SEAL_CONTEXT = "modelarts-admin audit witness"


@dataclass(frozen=True)
class Witness:
    sequence: int
    digest: str
    written_at: str


@dataclass(frozen=True)
class Unreadable:
    """A witness file that is there but cannot be trusted; ``reason`` says why ("is not a witness file")."""

    reason: str


def witness_path() -> Path:
    return Path(settings.AUDIT_WITNESS_FILE)


def _seal(sequence: int, digest: str, written_at: str) -> str:
    key = settings.AUDIT_HMAC_KEY.encode("utf-8")
    message = json.dumps([SEAL_CONTEXT, sequence, digest, written_at]).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _load(path: Path) -> Witness | Unreadable | None:
    """The witness at ``path``; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        return Unreadable(_("cannot be read ({reason})").format(reason=error.strerror))
    try:
        data = json.loads(text)
        witness = Witness(
            sequence=int(data["sequence"]), digest=str(data["digest"]), written_at=str(data["written_at"])
        )
        seal = str(data["seal"])
    except (ValueError, TypeError, KeyError):
        return Unreadable(_("is not a witness file"))
    if not hmac.compare_digest(seal, _seal(witness.sequence, witness.digest, witness.written_at)):
        return Unreadable(_("does not match its seal"))
    return witness


def read() -> Witness | Unreadable | None:
    """The current witness (None when there is none), for ``verify_chain``."""
    return _load(witness_path())


@contextmanager
def _locked(path: Path):
    """Serialise writers across processes: read, compare and replace happen as one step."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(f"{path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _write_atomically(path: Path, witness: Witness) -> None:
    payload = {
        "sequence": witness.sequence,
        "digest": witness.digest,
        "written_at": witness.written_at,
        "seal": _seal(witness.sequence, witness.digest, witness.written_at),
    }
    # mkstemp creates the file 0600; the rename keeps that and replaces the old witness in one step.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(payload, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _chain_holds(witness: Witness) -> bool:
    return AuditSeal.objects.filter(sequence=witness.sequence, digest=witness.digest).exists()


def advance(*, sequence: int, digest: str) -> None:
    """Record a committed chain head. Runs after the append's transaction commits (never for a rolled-back
    one, which would leave the witness ahead of the chain)."""
    logger.info("audit chain head: seal %s, digest %s", sequence, digest)
    path = witness_path()
    with _locked(path):
        current = _load(path)
        if isinstance(current, Unreadable):
            logger.error(
                "The audit witness %s %s; it is kept as evidence and not updated.", path, current.reason
            )
            return
        if current is not None:
            if current.sequence >= sequence:
                return  # a later append's witness got there first
            if not _chain_holds(current):
                logger.error(
                    "The audit chain no longer holds seal %s as witnessed in %s; the witness is kept as evidence.",
                    current.sequence,
                    path,
                )
                return
        _write_atomically(
            path, Witness(sequence=sequence, digest=digest, written_at=timezone.now().isoformat())
        )
