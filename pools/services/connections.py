"""Writes on connections: create, update, delete, test, and re-encryption under the newest key.

Every function is keyword-only, runs atomically where it writes, and records what it did through
``audit.record`` with the non-secret fields only. Secrets come in as arguments and leave only as Fernet
tokens; nothing here reads a stored key back (that is ``client_for_connection``'s job).
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from pools import audit, crypto
from pools.core.clients import ConnectionKeysUnreadable, client_for_connection
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError
from pools.models import Connection, UserPreference
from pools.validators import (
    normalize_endpoint,
    validate_endpoint,
    validate_header_id,
    validate_key,
    validate_project_id,
)

# The fields an auditor may see, in the order they are shown.
PUBLIC_FIELDS = ("name", "description", "region", "project_id", "endpoint", "user_id", "workspace_id")
# Where signed requests go and what they act on: the stored keys are entrusted for this target only, so
# changing any of these needs the SK typed again (docs/security.md, "Connections").
TARGET_FIELDS = ("region", "project_id", "endpoint")

DUPLICATE_NAME = "A connection with this name already exists."
KEY_REQUIRED = "Enter the key; it is stored encrypted and never shown again."
SK_NEEDED_FOR_NEW_TARGET = (
    "Enter the secret key (SK) again to change the endpoint, region or project: "
    "the stored keys are only sent where they were entered for."
)
DELETE_REFUSED = "Connection “{name}” is used by {count} open change request(s); finish or cancel them first."
DELETED = "Connection “{name}” deleted."
DELETED_KEPT_FOR_HISTORY = (
    "Connection “{name}” deleted. Past change requests still name it, so its name, region and project stay "
    "with them; its keys are erased."
)
TEST_SUMMARY_OK = "{count} pool(s) listed in {latency_ms} ms"


def _snapshot(connection: Connection) -> dict[str, str]:
    return {name: getattr(connection, name) for name in PUBLIC_FIELDS}


def target_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The target fields (TARGET_FIELDS) that differ between two snapshots; endpoints compared normalised."""

    def comparable(snapshot: dict[str, str], name: str) -> str:
        value = (snapshot.get(name) or "").strip()
        return normalize_endpoint(value) if name == "endpoint" else value

    return [name for name in TARGET_FIELDS if comparable(before, name) != comparable(after, name)]


@sensitive_variables("access_key", "secret_key")
def _validate(
    connection: Connection,
    *,
    access_key: str,
    secret_key: str,
    keys_required: bool,
    secret_key_required: bool = False,
) -> None:
    """Every rule a form applies, again, so that no entry point can store a bad connection."""
    errors: dict[str, list[str]] = {}

    def check(name: str, validator, value) -> None:
        try:
            validator(value)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.messages)

    try:
        # The model's URLField check is replaced by validate_endpoint, which also allows single-label hosts.
        connection.full_clean(
            exclude=["endpoint", "access_key_token", "secret_key_token"],
            validate_unique=False,
            validate_constraints=False,  # the name's uniqueness is checked below, without case
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if (
        "name" not in errors
        and Connection.objects.in_use()
        .filter(name__iexact=connection.name)
        .exclude(pk=connection.pk or None)
        .exists()
    ):
        errors.setdefault("name", []).append(DUPLICATE_NAME)
    check("endpoint", validate_endpoint, connection.endpoint)
    if "project_id" not in errors:
        check("project_id", validate_project_id, connection.project_id)
    check("user_id", validate_header_id, connection.user_id)
    check("workspace_id", validate_header_id, connection.workspace_id)
    for name, value in (("access_key", access_key), ("secret_key", secret_key)):
        if keys_required and not value:
            errors.setdefault(name, []).append(KEY_REQUIRED)
        check(name, validate_key, value)
    if secret_key_required and not secret_key and "secret_key" not in errors:
        errors["secret_key"] = [SK_NEEDED_FOR_NEW_TARGET]
    if errors:
        raise ValidationError(errors)


def _save(connection: Connection) -> None:
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError as error:
        # Two people saving the same name at once: the unique index decides, the loser gets a field error.
        raise ValidationError({"name": [DUPLICATE_NAME]}) from error


def _assign(connection: Connection, **fields: str) -> None:
    for name in PUBLIC_FIELDS:
        value = fields[name]
        setattr(connection, name, value.strip() if isinstance(value, str) else value)
    connection.endpoint = normalize_endpoint(connection.endpoint or "")
    if not connection.workspace_id:
        connection.workspace_id = "0"


@sensitive_variables("access_key", "secret_key")
def connection_create(
    *,
    user,
    name: str,
    region: str,
    project_id: str,
    access_key: str,
    secret_key: str,
    description: str = "",
    endpoint: str = "",
    user_id: str = "",
    workspace_id: str = "0",
    request_id: str | None = None,
) -> Connection:
    """Store a new connection with its keys encrypted. Raises ValidationError with field errors."""
    connection = Connection(created_by=user if getattr(user, "pk", None) else None)
    _assign(
        connection,
        name=name,
        description=description,
        region=region,
        project_id=project_id,
        endpoint=endpoint,
        user_id=user_id,
        workspace_id=workspace_id,
    )
    access_key, secret_key = (access_key or "").strip(), (secret_key or "").strip()
    _validate(connection, access_key=access_key, secret_key=secret_key, keys_required=True)
    connection.access_key = access_key
    connection.secret_key = secret_key
    with transaction.atomic():
        _save(connection)
        audit.record(
            user=user,
            action="connection.create",
            obj=connection,
            details={"after": _snapshot(connection), "key_hint": connection.access_key_hint},
            request_id=request_id,
            flag="add",
        )
    return connection


@sensitive_variables("access_key", "secret_key")
def connection_update(
    *,
    connection: Connection,
    user,
    name: str,
    region: str,
    project_id: str,
    description: str = "",
    endpoint: str = "",
    user_id: str = "",
    workspace_id: str = "0",
    access_key: str = "",
    secret_key: str = "",
    request_id: str | None = None,
) -> Connection:
    """Change a connection; a blank ``access_key`` or ``secret_key`` keeps the stored one, except that a new
    endpoint, region or project needs the SK again (a ValidationError on ``secret_key`` otherwise)."""
    access_key, secret_key = (access_key or "").strip(), (secret_key or "").strip()
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        before = _snapshot(locked)
        _assign(
            locked,
            name=name,
            description=description,
            region=region,
            project_id=project_id,
            endpoint=endpoint,
            user_id=user_id,
            workspace_id=workspace_id,
        )
        moved = target_changes(before, _snapshot(locked))
        _validate(
            locked,
            access_key=access_key,
            secret_key=secret_key,
            keys_required=False,
            secret_key_required=bool(moved),
        )
        replaced = []
        if access_key:
            locked.access_key = access_key
            replaced.append("AK")
        if secret_key:
            locked.secret_key = secret_key
            replaced.append("SK")
        _save(locked)
        after = _snapshot(locked)
        changes = {name: [before[name], after[name]] for name in PUBLIC_FIELDS if before[name] != after[name]}
        audit.record(
            user=user,
            action="connection.update",
            obj=locked,
            details={
                "changes": changes,  # each changed field with its old and new value
                "target_changed": moved,
                "keys_replaced": replaced,
                "key_hint": locked.access_key_hint,
            },
            request_id=request_id,
            flag="change",
        )
    return locked


def open_change_request_count(connection: Connection) -> int:
    """Open change requests on ``connection``; 0 until the ChangeRequest model exists."""
    try:
        change_request_model = apps.get_model("pools", "ChangeRequest")
    except LookupError:
        return 0
    open_statuses = getattr(change_request_model, "OPEN_STATUSES", None)
    if open_statuses is None:
        open_statuses = importlib.import_module(change_request_model.__module__).OPEN_STATUSES
    return change_request_model.objects.filter(connection=connection, status__in=open_statuses).count()


def connection_delete(*, connection: Connection, user, request_id: str | None = None) -> str:
    """Delete a connection unless open change requests still use it (ApplicationError then); returns the
    message to show.

    A connection that past change requests (or other records) refer to cannot go, since their history
    names it: it is retired instead. Its keys are erased and it leaves every page, the switcher and every
    user's preference, and its name is free for a new connection.
    """
    with transaction.atomic():
        locked = Connection.objects.in_use().select_for_update().get(pk=connection.pk)
        count = open_change_request_count(locked)
        if count:
            raise ApplicationError(DELETE_REFUSED.format(name=locked.name, count=count))
        try:
            with transaction.atomic():  # a savepoint: a refused delete takes its audit entry with it
                _record_deletion(locked, user=user, request_id=request_id, kept_for_history=False)
                locked.delete()
        except (ProtectedError, RestrictedError):
            pass
        else:
            return DELETED.format(name=locked.name)
        _record_deletion(locked, user=user, request_id=request_id, kept_for_history=True)
        _retire(locked)
    return DELETED_KEPT_FOR_HISTORY.format(name=locked.name)


def _record_deletion(locked: Connection, *, user, request_id: str | None, kept_for_history: bool) -> None:
    # Recorded first, while the row is as it was.
    audit.record(
        user=user,
        action="connection.delete",
        obj=locked,
        details={
            "before": _snapshot(locked),
            "key_hint": locked.access_key_hint,
            "kept_for_history": kept_for_history,
        },
        request_id=request_id,
        flag="delete",
    )


def _retire(locked: Connection) -> None:
    locked.retired_at = timezone.now()
    locked.access_key_token = locked.secret_key_token = locked.access_key_hint = ""
    locked.last_test_ok = locked.last_test_at = locked.last_test_latency_ms = None
    locked.last_test_summary = ""
    locked.save()
    UserPreference.objects.filter(connection=locked).update(connection=None)


@dataclass(frozen=True)
class ConnectionTestResult:
    """The outcome of listing pools with a connection, as shown inline and stored on it."""

    ok: bool
    tested_at: datetime
    latency_ms: int | None = None
    pool_count: int | None = None
    title: str = ""
    error_code: str = ""
    error_msg: str = ""
    request_id: str = ""
    status: int | None = None

    @property
    def summary(self) -> str:
        if self.ok:
            return TEST_SUMMARY_OK.format(count=self.pool_count, latency_ms=self.latency_ms)
        parts = [self.title]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts += [p for p in (self.error_code, self.error_msg) if p]
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return ": ".join(parts)[:500]


def _list_pools(connection: Connection) -> ConnectionTestResult:
    started = time.monotonic()
    try:
        client = client_for_connection(connection)
        try:
            pools = client.list_pools(workspace_id=connection.workspace_id or "0")
        finally:
            client.close()
    except ConnectionKeysUnreadable as error:
        return ConnectionTestResult(ok=False, tested_at=timezone.now(), title=error.message)
    except ModelArtsError as error:
        return ConnectionTestResult(
            ok=False,
            tested_at=timezone.now(),
            latency_ms=round((time.monotonic() - started) * 1000),
            title=error.title,
            error_code=error.error_code,
            error_msg=error.error_msg,
            request_id=error.request_id,
            status=error.status,
        )
    return ConnectionTestResult(
        ok=True,
        tested_at=timezone.now(),
        latency_ms=round((time.monotonic() - started) * 1000),
        pool_count=len(pools.items),
        request_id=pools.request_id,
    )


def connection_test(*, connection: Connection, user, request_id: str | None = None) -> ConnectionTestResult:
    """List pools with the connection; store and audit the outcome. Upstream failures are results."""
    # The HTTP call runs outside any transaction: no row stays locked while ModelArts answers.
    result = _list_pools(connection)
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            last_test_ok=result.ok,
            last_test_at=result.tested_at,
            last_test_summary=result.summary,
            last_test_latency_ms=result.latency_ms,
        )
        connection.last_test_ok = result.ok
        connection.last_test_at = result.tested_at
        connection.last_test_summary = result.summary
        connection.last_test_latency_ms = result.latency_ms
        audit.record(
            user=user,
            action="connection.test",
            obj=connection,
            details={
                "ok": result.ok,
                "pool_count": result.pool_count,
                "latency_ms": result.latency_ms,
                "error": result.title if not result.ok else "",
                "error_code": result.error_code,
                "error_msg": result.error_msg,
                "upstream_request_id": result.request_id,
            },
            request_id=request_id,
        )
    return result


@dataclass
class RotationReport:
    rotated: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one clear message per connection

    @property
    def ok(self) -> bool:
        return not self.failed


def connection_rotate_secrets(*, connection: Connection, user=None) -> None:
    """Re-encrypt the connection's AK and SK under the newest key; raises ConnectionKeysUnreadable."""
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        try:
            locked.access_key_token = crypto.rotate(locked.access_key_token)
            locked.secret_key_token = crypto.rotate(locked.secret_key_token)
        except crypto.DecryptionError:
            raise ConnectionKeysUnreadable(locked) from None
        locked.save(update_fields=["access_key_token", "secret_key_token", "updated_at"])
        audit.record(
            user=user,
            action="connection.rotate_keys",
            obj=locked,
            details={
                "name": locked.name,
                "reencrypted": ["AK", "SK"],
                "keys_configured": len(crypto.configured_keys()),
            },
        )


def connections_rotate_secrets(*, user=None) -> RotationReport:
    """Rotate every connection; one that cannot be opened is reported and the others still rotate."""
    report = RotationReport()
    for connection in Connection.objects.in_use().order_by("pk"):  # a deleted one has no keys left
        try:
            connection_rotate_secrets(connection=connection, user=user)
        except ConnectionKeysUnreadable as error:
            report.failed.append(error.message)
        else:
            report.rotated.append(connection.name)
    return report


def connection_choose(*, user, connection: Connection | None) -> None:
    """Remember ``connection`` as the user's current one (the switcher)."""
    UserPreference.objects.update_or_create(user=user, defaults={"connection": connection})
