"""Create a pool: CreatePool with the body the wizard built (and ``pool_body`` checks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pools.change_kinds import messages
from pools.change_kinds.base import DONE, MISSING, CallDescription, Called, ChangeKind, Observation
from pools.change_kinds.pool_body import create_pool_body_problem
from pools.core.errors import ApplicationError
from pools.core.wording import clauses, listed
from pools.modelarts.vocabulary import (
    ANNOTATION_BILLING_MODE,
    ANNOTATION_PERIOD_NUM,
    ANNOTATION_PERIOD_TYPE,
    DEFAULT_WORKSPACE,
    DISPLAY_NAME,
    LABEL_WORKSPACE,
)


def workspace_of(body: Any, connection) -> str:
    """The workspace a CreatePool ``body`` puts its pool in (the connection's when the body names none)."""
    labels = ((body or {}).get("metadata") or {}).get("labels") or {}
    return str(labels.get(LABEL_WORKSPACE) or connection.workspace_id or DEFAULT_WORKSPACE)


def pools_named(client, *, display_name: str, workspace_id: str) -> list:
    """Pools whose display name is ``display_name``: how a create is found again after a lost answer."""
    return [
        pool
        for pool in client.list_pools(workspace_id=workspace_id).items
        if pool.display_name == display_name
    ]


def describe_create_body(body) -> str:
    """'Dedicate pool for Train, Infer; 2 × modelarts.vm.gpu.t4u8; network net-1; pay-per-use', in the
    reader's language (the pool type, job types and flavors as the API names them)."""
    if not isinstance(body, dict):
        return _("no body")
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
    scopes = listed(spec.get("scope") or []) or _("no job types")
    parts = [_("{type} pool for {scopes}").format(type=spec.get("type", "?"), scopes=scopes)]
    resources = [r for r in spec.get("resources") or [] if isinstance(r, dict)]
    if resources:
        parts.append(listed(f"{r.get('count', '?')} × {r.get('flavor', '?')}" for r in resources))
    network = spec.get("network") if isinstance(spec.get("network"), dict) else {}
    if network.get("name"):
        parts.append(_("network {name}").format(name=network["name"]))
    if annotations.get(ANNOTATION_BILLING_MODE) == "1":
        parts.append(_subscription(annotations))
    else:
        parts.append(_("pay-per-use"))
    return clauses(parts)


def _subscription(annotations: dict) -> str:
    """'yearly/monthly, 3 months'."""
    number = str(annotations.get(ANNOTATION_PERIOD_NUM, "?"))
    count = int(number) if number.isdigit() else 2  # an unreadable number reads as a plural
    unit = str(annotations.get(ANNOTATION_PERIOD_TYPE))
    if unit == "2":
        text = ngettext("yearly/monthly, {number} month", "yearly/monthly, {number} months", count)
    elif unit == "3":
        text = ngettext("yearly/monthly, {number} year", "yearly/monthly, {number} years", count)
    else:
        text = ngettext("yearly/monthly, {number} period", "yearly/monthly, {number} periods", count)
    return text.format(number=number)


class CreatePool(ChangeKind):
    name = "create_pool"
    label = gettext_lazy("Create pool")

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        if not DISPLAY_NAME.match(target):
            raise ApplicationError(messages.BAD_DISPLAY_NAME, field="target")
        problem = create_pool_body_problem(target, body)
        if problem:
            raise ApplicationError(messages.BAD_CREATE_BODY.format(problem=problem), field="body")
        return target, body

    def same_change(self, target, body, other_target, other_body) -> bool:
        # Callers compare requests of one connection; the workspace is compared by the caller (it needs it).
        return target == other_target

    def summary(self, change_request) -> str:
        return _("Create pool {pool}: {details}").format(
            pool=change_request.target, details=describe_create_body(change_request.body)
        )

    def describe(self, change_request) -> CallDescription:
        return CallDescription("POST", "/v2/{project_id}/pools", change_request.body)

    def pool_name(self, change_request) -> str:
        return change_request.result_pool_name

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        workspace_id = workspace_of(body, connection)
        pools = client.list_pools(workspace_id=workspace_id).items
        return {
            "workspace_id": workspace_id,
            "pool_count": len(pools),
            "pools_with_name": sorted(pool.name for pool in pools if pool.display_name == target),
        }

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        taken = live.get("pools_with_name") or []
        if not taken:
            return []
        return [_("A pool named {name} already exists ({pools}).").format(name=target, pools=listed(taken))]

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        if not snapshot:
            return []
        changes = []
        before, after = set(snapshot.get("pools_with_name") or []), set(live.get("pools_with_name") or [])
        if after - before:
            appeared = listed(sorted(after - before))
            changes.append(_("A pool with this name appeared: {pools}.").format(pools=appeared))
        if snapshot.get("pool_count") != live.get("pool_count"):
            changes.append(
                _("Pools in the workspace: {then} → {now}.").format(
                    then=snapshot.get("pool_count"), now=live.get("pool_count")
                )
            )
        return changes

    def call(self, client, change_request) -> Called:
        pool = client.create_pool(change_request.body)
        return Called(pool.name, pool.request_id)

    def observe(self, client, change_request) -> Observation:
        found = pools_named(
            client,
            display_name=change_request.target,
            workspace_id=workspace_of(change_request.body, change_request.connection),
        )
        return Observation(DONE, found[0].name) if found else Observation(MISSING)
