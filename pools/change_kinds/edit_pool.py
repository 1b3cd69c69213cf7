"""Edit a pool: PatchPool (a JSON merge patch) with only what changes: the description, the job types
(``spec.scope``), the GPU/NPU driver version and its update strategy.

ModelArts applies the description and the job types at once (the Terraform provider reads the pool back
right after); a driver change is followed until the pool's driver is no longer being upgraded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools import pool_change_rules as rules
from pools.change_kinds.base import DONE, MISSING, PENDING, CallDescription, Called, ChangeKind, Observation
from pools.change_kinds.pool_state import pool_changes, pool_gone_or_going, pool_problems, pool_state_of
from pools.core.errors import ApplicationError
from pools.modelarts.change_operations import MERGE_PATCH
from pools.modelarts.errors import NotFoundError
from pools.modelarts.vocabulary import ANNOTATION_DESCRIPTION

BAD_EDIT_BODY = gettext_lazy(
    "An edit changes at least one of metadata.annotations[os.modelarts/description], spec.scope (Train, "
    "Infer, Notebook) and spec.driver ({gpuVersion or npuVersion, updateStrategy force or idle}), and "
    "nothing else."
)
NO_SUCH_DRIVER = gettext_lazy("Pool {pool} has no {kind} driver to update.")
FORCE_NOTE = gettext_lazy(
    "Driver update strategy force: nodes are upgraded now, stopping the jobs running on them."
)
DRIVER_BUSY_STATES = frozenset({"Creating", "Upgrading", "Updating", "Pending"})
DRIVER_KINDS = {"gpuVersion": "gpu", "npuVersion": "npu"}


def description_of(body: Any) -> str | None:
    annotations = ((body or {}).get("metadata") or {}).get("annotations") or {}
    return annotations.get(ANNOTATION_DESCRIPTION)


def spec_of(body: Any) -> dict[str, Any]:
    spec = (body or {}).get("spec")
    return spec if isinstance(spec, dict) else {}


def _valid_metadata(metadata: Any) -> bool:
    if metadata is None:
        return True
    return (
        isinstance(metadata, dict)
        and set(metadata) == {"annotations"}
        and isinstance(metadata["annotations"], dict)
        and set(metadata["annotations"]) == {ANNOTATION_DESCRIPTION}
        and isinstance(metadata["annotations"][ANNOTATION_DESCRIPTION], str)
        and rules.description_problem(metadata["annotations"][ANNOTATION_DESCRIPTION]) is None
    )


def _valid_spec(spec: Any) -> bool:
    if spec is None:
        return True
    if not isinstance(spec, dict) or not spec or set(spec) - {"scope", "driver"}:
        return False
    scope = spec.get("scope", list(rules.SCOPES))
    if (
        not isinstance(scope, list)
        or not scope
        or len(set(scope)) != len(scope)
        or set(scope) - set(rules.SCOPES)
    ):
        return False
    driver = spec.get("driver")
    if driver is None:
        return True
    versions = [key for key in DRIVER_KINDS if key in (driver if isinstance(driver, dict) else {})]
    return (
        isinstance(driver, dict)
        and len(versions) == 1
        and set(driver) == {versions[0], "updateStrategy"}
        and isinstance(driver[versions[0]], str)
        and rules.driver_version_problem(driver[versions[0]]) is None
        and driver["updateStrategy"] in rules.UPDATE_STRATEGIES
    )


class EditPool(ChangeKind):
    name = "edit_pool"
    label = gettext_lazy("Edit pool")
    problem_field = "body"

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        if (
            not isinstance(body, dict)
            or not body
            or set(body) - {"metadata", "spec"}
            or not _valid_metadata(body.get("metadata"))
            or not _valid_spec(body.get("spec"))
        ):
            raise ApplicationError(BAD_EDIT_BODY, field="body")
        return target, body

    def summary(self, change_request) -> str:
        parts = [_("description")] if description_of(change_request.body) is not None else []
        spec = spec_of(change_request.body)
        parts += [name for key, name in (("scope", _("job types")), ("driver", _("driver"))) if key in spec]
        return _("Edit pool {pool}: {parts}").format(pool=change_request.target, parts=", ".join(parts))

    def describe(self, change_request) -> CallDescription:
        notes = ()
        driver = spec_of(change_request.body).get("driver") or {}
        if driver.get("updateStrategy") == "force":
            notes = (str(FORCE_NOTE),)
        path = f"/v2/{{project_id}}/pools/{change_request.target}"
        return CallDescription("PATCH", path, change_request.body, content_type=MERGE_PATCH, notes=notes)

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        try:
            pool = client.show_pool(target)
        except NotFoundError:
            return {"exists": False}
        return {
            **pool_state_of(pool),
            "description": pool.description,
            "scope": sorted(pool.scope),
            "driver": dict(pool.driver),
            "accelerator": pool.accelerator,
        }

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = pool_problems(target, live, require_running=True)
        if pool_gone_or_going(live):
            return problems
        driver = spec_of(body).get("driver") or {}
        for key, kind in DRIVER_KINDS.items():
            if key in driver and live.get("accelerator") != kind:
                problems.append(NO_SUCH_DRIVER.format(pool=target, kind=kind.upper()))
        return problems

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        changes = pool_changes(snapshot, live)
        if not snapshot or not live.get("exists"):
            return changes
        for key, name in (
            ("description", _("Description")),
            ("scope", _("Job types")),
            ("driver", _("Driver")),
        ):
            if snapshot.get(key) != live.get(key):
                changes.append(
                    _("{name}: {then} → {now}.").format(name=name, then=snapshot.get(key), now=live.get(key))
                )
        return changes

    def call(self, client, change_request) -> Called:
        pool = client.patch_pool(change_request.target, change_request.body)
        driver_changes = "driver" in spec_of(change_request.body)
        return Called(pool.name, pool.request_id, follow={"driver": True} if driver_changes else None)

    def observe(self, client, change_request) -> Observation:
        pool_name = change_request.target
        pool = client.show_pool(pool_name)
        body, shown = change_request.body, []
        description = description_of(body)
        if description is not None:
            shown.append(pool.description == description)
        spec = spec_of(body)
        if "scope" in spec:
            shown.append(set(pool.scope) == set(spec["scope"]))
        driver = spec.get("driver") or {}
        if driver:
            shown.append(all(pool.driver.get(key) == value for key, value in driver.items()))
        if not all(shown):
            return Observation(MISSING, pool_name)
        states = _driver_states(pool.raw)
        if driver and states & DRIVER_BUSY_STATES:
            driver_states = _("Driver {states}.").format(states=", ".join(sorted(states)))
            return Observation(PENDING, pool_name, driver_states)
        return Observation(DONE, pool_name, _("ModelArts shows the pool as edited."))


def _driver_states(raw: Any) -> set[str]:
    status = raw.get("status") if isinstance(raw, dict) else None
    drivers = status.get("driver") if isinstance(status, dict) else None
    if not isinstance(drivers, dict):
        return set()
    return {
        str(state.get("state"))
        for state in drivers.values()
        if isinstance(state, dict) and state.get("state")
    }
