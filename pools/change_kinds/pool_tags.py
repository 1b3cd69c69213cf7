"""Change a pool's tags: BatchDeletePoolTags for the keys to remove, then BatchCreatePoolTags for the tags to
add (a key the pool has gets the new value). Body: ``{"add": {key: value}, "remove": [key]}``.

Both calls are idempotent at ModelArts (deleting a missing key changes nothing, creating overwrites), so a
request whose answer was lost is settled by reading the tags, and sent again only if they do not show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools import pool_change_rules as rules
from pools.change_kinds.base import DONE, MISSING, CallDescription, Called, ChangeKind, Observation
from pools.change_kinds.pool_state import pool_changes, pool_gone_or_going, pool_live, pool_problems
from pools.core.errors import ApplicationError
from pools.core.wording import clauses, listed

BAD_TAGS_BODY = gettext_lazy(
    'A tag change is {"add": {key: value}, "remove": [key]} with at least one tag, keys and values as '
    "ModelArts allows them."
)
THEN_ADD = gettext_lazy("Then POST {path} with {body}")


def add_of(body: Any) -> dict[str, str]:
    add = body.get("add") if isinstance(body, dict) else None
    return dict(add) if isinstance(add, dict) else {}


def remove_of(body: Any) -> list[str]:
    remove = body.get("remove") if isinstance(body, dict) else None
    return list(remove) if isinstance(remove, list) else []


def _valid(body: Any) -> bool:
    if not isinstance(body, dict) or set(body) != {"add", "remove"}:
        return False
    add, remove = body["add"], body["remove"]
    if not isinstance(add, dict) or not isinstance(remove, list) or not (add or remove):
        return False
    if len(add) > rules.MAX_TAGS_PER_POOL or len(remove) > rules.MAX_TAGS_PER_POOL:
        return False
    keys_ok = all(isinstance(key, str) and rules.tag_key_problem(key) is None for key in [*add, *remove])
    values_ok = all(
        isinstance(value, str) and rules.tag_value_problem(value) is None for value in add.values()
    )
    return keys_ok and values_ok and len(set(remove)) == len(remove) and not set(add) & set(remove)


def _listed(tags: Mapping[str, str]) -> str:
    return listed(f"{key}={value}" for key, value in tags.items()) or "—"


def _tags_json(add: Mapping[str, str]) -> dict[str, Any]:
    return {"tags": [{"key": key, "value": value} for key, value in add.items()]}


class PoolTags(ChangeKind):
    name = "pool_tags"
    label = gettext_lazy("Change pool tags")
    problem_field = "body"

    def validate(self, target: str, body: Any) -> tuple[str, Any]:
        self.require_pool_id(target)
        if not _valid(body):
            raise ApplicationError(BAD_TAGS_BODY, field="body")
        return target, {"add": dict(body["add"]), "remove": list(body["remove"])}

    def summary(self, change_request) -> str:
        add, remove = add_of(change_request.body), remove_of(change_request.body)
        added = listed(f"{key}={value}" for key, value in add.items())
        parts = [_("add {tags}").format(tags=added)] if add else []
        parts += [_("remove {keys}").format(keys=listed(remove))] if remove else []
        return _("Tags of pool {pool}: {changes}").format(pool=change_request.target, changes=clauses(parts))

    def describe(self, change_request) -> CallDescription:
        target, add, remove = (
            change_request.target,
            add_of(change_request.body),
            remove_of(change_request.body),
        )
        base = f"/v1/{{project_id}}/pools/{target}/tags"
        if not remove:
            return CallDescription("POST", f"{base}/create", _tags_json(add))
        deleting = {"tags": [{"key": key} for key in remove]}
        then_add = THEN_ADD.format(
            path=f"{base}/create", body=json.dumps(_tags_json(add), ensure_ascii=False)
        )
        notes = (then_add,) if add else ()
        return CallDescription("DELETE", f"{base}/delete", deleting, notes=notes)

    def read_live(self, client, *, connection, target: str, body: Any) -> dict[str, Any]:
        state = pool_live(client, target)
        if state["exists"]:
            state["tags"] = client.show_pool_tags(target).as_dict()
        return state

    def problems(self, target: str, body: Any, live: Mapping[str, Any]) -> list[str]:
        problems = pool_problems(target, live, require_running=False)
        if pool_gone_or_going(live):
            return problems
        problem = rules.tag_change_problem(live.get("tags") or {}, add_of(body), remove_of(body))
        return [*problems, problem] if problem else problems

    def changes(self, snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        changes = pool_changes(snapshot, live)
        before, after = snapshot.get("tags") or {}, live.get("tags") or {}
        if snapshot and live.get("exists") and before != after:
            changes.append(_("Tags: {then} → {now}.").format(then=_listed(before), now=_listed(after)))
        return changes

    def call(self, client, change_request) -> Called:
        add, remove = add_of(change_request.body), remove_of(change_request.body)
        request_id = ""
        if remove:
            request_id = client.delete_pool_tags(change_request.target, remove).request_id
        if add:
            request_id = client.create_pool_tags(change_request.target, add).request_id
        return Called(change_request.target, request_id)

    def observe(self, client, change_request) -> Observation:
        tags = client.show_pool_tags(change_request.target).as_dict()
        add, remove = add_of(change_request.body), remove_of(change_request.body)
        shown = all(tags.get(key) == value for key, value in add.items()) and not set(remove) & set(tags)
        now = listed(f"{key}={value}" for key, value in tags.items()) or _("none")
        progress = _("Tags now: {tags}.").format(tags=now)
        return Observation(DONE if shown else MISSING, change_request.target, progress)
