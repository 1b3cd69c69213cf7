"""Writes on connections: create, update, delete, and the switcher's choice.

Every function is keyword-only, runs atomically where it writes, and records what it did through
``audit.record`` with the non-secret fields only. Secrets come in as arguments and leave only as Fernet
tokens; nothing here reads a stored key back (that is ``client_for_connection``'s job). The Test button is
``connection_checks``; re-encryption under the newest key is ``connection_keys``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from pools import audit
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest, Connection, UserPreference
from pools.selectors.change_requests import still_open
from pools.validators import (
    normalize_endpoint,
    validate_endpoint,
    validate_header_id,
    validate_key,
    validate_no_invisible_characters,
    validate_project_id,
)

# The fields an auditor may see, in the order they are shown.
PUBLIC_FIELDS = ("name", "description", "region", "project_id", "endpoint", "user_id", "workspace_id")
# The ones people write freely (the others have formats of their own): shown in the switcher, lists and the
# audit log, so nothing unseen may reorder or hide what they say.
FREE_TEXT_FIELDS = ("name", "description")
# Where signed requests go and what they act on: the stored keys are entrusted for this target only, so
# changing any of these needs the SK typed again (docs/security.md, "Connections").
TARGET_FIELDS = ("region", "project_id", "endpoint")

DUPLICATE_NAME = _("A connection with this name already exists.")
KEY_REQUIRED = _("Enter the key; it is stored encrypted and never shown again.")
SK_NEEDED_FOR_NEW_TARGET = _(
    "Enter the secret key (SK) again to change the endpoint, region or project: "
    "the stored keys are only sent where they were entered for."
)
DELETE_REFUSED = _(
    "Connection “{name}” is used by {count} open change request(s); finish or cancel them first."
)
DELETED = _("Connection “{name}” deleted.")
DELETED_KEPT_FOR_HISTORY = _(
    "Connection “{name}” deleted. Past change requests still name it, so its name, region and project stay "
    "with them; its keys are erased."
)


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
    for name in FREE_TEXT_FIELDS:
        check(name, validate_no_invisible_characters, getattr(connection, name))
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
    """Change requests on ``connection`` that still hold a change (a pending one past its expiry does not)."""
    return ChangeRequest.objects.filter(still_open(), connection=connection).count()


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
    # Its notification routes go with its keys: their URLs and secrets are secrets too.
    locked.notification_routes.all().delete()


def connection_choose(*, user, connection: Connection | None) -> None:
    """Remember ``connection`` as the user's current one (the switcher)."""
    UserPreference.objects.update_or_create(user=user, defaults={"connection": connection})
