"""The CreatePool API body (modelarts-api.md §5.8), built from the wizard's validated state.

``state`` maps each wizard step to its cleaned values (plain JSON types, as the wizard keeps them in the
session)::

    {
      "basics": {"display_name", "description", "workspace_id", "node_prefix", "labels": [[key, value], ...]},
      "type": {"type": "Dedicate" | "Logical", "scope": ["Train", "Infer", "Notebook"]},
      "resources": {"rows": [{"flavor", "count", "max_count": int | None, "azs": [[az, count], ...]}]},
      "network": {"network_name", "job_flavors": [...], "gpu_version", "npu_version", "update_strategy"},
      "billing": {"mode": "0" | "1", "period_type": "2" | "3", "period_num": int, "auto_renew": bool,
                  "auto_pay": bool, "promotion_info", "console_url"},
    }

A yearly/monthly body has no ``os.modelarts/order.id``: ModelArts makes the order on create and records its
id on the pool; with ``os.modelarts/auto.pay`` "false" the order is then paid in the Huawei Cloud console.

Keys come out in the order the official SDK serialises them, so the body reads like the documented one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from pools.core.wording import listed
from pools.modelarts.vocabulary import (
    ANNOTATION_AUTO_PAY,
    ANNOTATION_AUTO_RENEW,
    ANNOTATION_BILLING_MODE,
    ANNOTATION_CONSOLE_URL,
    ANNOTATION_DESCRIPTION,
    ANNOTATION_PERIOD_NUM,
    ANNOTATION_PERIOD_TYPE,
    ANNOTATION_PROMOTION_INFO,
    DEFAULT_WORKSPACE,
    LABEL_NAME,
    LABEL_NODE_PREFIX,
    LABEL_WORKSPACE,
)

# What a CreatePool body may say (its label keys and the display-name rule are in
# pools/modelarts/vocabulary.py); the wizard's fields and the change-request service use these, no copies.
DEDICATE = "Dedicate"
LOGICAL = "Logical"
POOL_TYPES = (DEDICATE, LOGICAL)
SCOPES = ("Train", "Infer", "Notebook")

BILLING_PAY_PER_USE = "0"
BILLING_YEARLY_MONTHLY = "1"
PERIOD_MONTH = "2"
PERIOD_YEAR = "3"
# How many months or years a subscription may run.
PERIOD_NUMBERS = {PERIOD_MONTH: range(1, 10), PERIOD_YEAR: range(1, 4)}

UPDATE_IDLE = "idle"  # a node's driver is upgraded once no job runs on it; the default
UPDATE_FORCE = "force"  # upgraded now; running jobs may be disturbed
UPDATE_STRATEGIES = (UPDATE_IDLE, UPDATE_FORCE)


def _labels(basics: Mapping[str, Any]) -> dict[str, str]:
    labels = {
        LABEL_NAME: basics["display_name"],
        LABEL_WORKSPACE: basics.get("workspace_id") or DEFAULT_WORKSPACE,
    }
    if basics.get("node_prefix"):
        labels[LABEL_NODE_PREFIX] = basics["node_prefix"]
    for key, value in basics.get("labels") or ():
        labels[key] = value
    return labels


def _annotations(basics: Mapping[str, Any], billing: Mapping[str, Any]) -> dict[str, str]:
    annotations: dict[str, str] = {}
    if basics.get("description"):
        annotations[ANNOTATION_DESCRIPTION] = basics["description"]
    if billing.get("mode") != BILLING_YEARLY_MONTHLY:
        annotations[ANNOTATION_BILLING_MODE] = BILLING_PAY_PER_USE
        return annotations
    annotations[ANNOTATION_BILLING_MODE] = BILLING_YEARLY_MONTHLY
    annotations[ANNOTATION_PERIOD_NUM] = str(billing["period_num"])
    annotations[ANNOTATION_PERIOD_TYPE] = billing["period_type"]
    annotations[ANNOTATION_AUTO_RENEW] = "1" if billing.get("auto_renew") else "0"
    annotations[ANNOTATION_AUTO_PAY] = "true" if billing.get("auto_pay") else "false"
    if billing.get("promotion_info"):
        annotations[ANNOTATION_PROMOTION_INFO] = billing["promotion_info"]
    if billing.get("console_url"):
        annotations[ANNOTATION_CONSOLE_URL] = billing["console_url"]
    return annotations


def _resource(row: Mapping[str, Any], pool_type: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"flavor": row["flavor"], "count": int(row["count"])}
    if pool_type == DEDICATE:
        # A physical pool has no elastic part: maxCount must equal count (§4.1).
        resource["maxCount"] = int(row["count"])
    elif row.get("max_count") is not None:
        resource["maxCount"] = int(row["max_count"])
    if row.get("azs"):
        resource["azs"] = [{"az": az, "count": int(count)} for az, count in row["azs"]]
    return resource


def _driver(network: Mapping[str, Any]) -> dict[str, str]:
    driver: dict[str, str] = {}
    if network.get("gpu_version"):
        driver["gpuVersion"] = network["gpu_version"]
    if network.get("npu_version"):
        driver["npuVersion"] = network["npu_version"]
    if driver:
        driver["updateStrategy"] = network.get("update_strategy") or UPDATE_IDLE
    return driver


def build_create_pool_body(state: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The exact JSON body of a CreatePool call for a validated wizard ``state`` (see the module doc)."""
    basics, pool_type, resources = state["basics"], state["type"], state["resources"]
    network, billing = state.get("network") or {}, state.get("billing") or {}
    kind = pool_type["type"]

    spec: dict[str, Any] = {
        "type": kind,
        "scope": [scope for scope in SCOPES if scope in pool_type["scope"]],
        "resources": [_resource(row, kind) for row in resources["rows"]],
    }
    if network.get("network_name"):
        spec["network"] = {"name": network["network_name"]}
    if network.get("job_flavors"):
        spec["jobFlavors"] = list(network["job_flavors"])
    driver = _driver(network)
    if driver:
        spec["driver"] = driver

    return {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": {"labels": _labels(basics), "annotations": _annotations(basics, billing)},
        "spec": spec,
    }


def create_pool_body_problem(target: str, body: Any) -> str | None:
    """Why ``body`` is not a CreatePool body for the pool named ``target`` (None when it is one).

    The one check of a create body: the wizard's review runs it on the body it built, and filing a change
    request runs it on whatever body reaches the service.
    """
    if not isinstance(body, dict):
        return _("it must be a JSON object")
    if body.get("apiVersion") != "v2" or body.get("kind") != "Pool":
        return _('apiVersion must be "v2" and kind "Pool"')
    labels = (body.get("metadata") or {}).get("labels") if isinstance(body.get("metadata"), dict) else None
    if not isinstance(labels, dict) or labels.get(LABEL_NAME) != target:
        return _("metadata.labels[{label}] must be the pool name {name}").format(
            label=LABEL_NAME, name=repr(target)
        )
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return _("spec is missing")
    if spec.get("type") not in POOL_TYPES:
        return _("spec.type must be one of {types}").format(types=listed(POOL_TYPES))
    scope = spec.get("scope")
    if not isinstance(scope, list) or not scope or any(s not in SCOPES for s in scope):
        return _("spec.scope must list job types from {scopes}").format(scopes=listed(SCOPES))
    resources = spec.get("resources")
    if not isinstance(resources, list) or not resources:
        return _("spec.resources must list at least one flavor")
    for resource in resources:
        if (
            not isinstance(resource, dict)
            or not isinstance(resource.get("flavor"), str)
            or not resource["flavor"]
        ):
            return _("every spec.resources entry needs a flavor")
        count = resource.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            return _("every spec.resources entry needs a count of at least 1")
    return None
