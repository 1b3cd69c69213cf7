"""Checking a CreatePool body the way the service would (API reference §5.8).

Every problem is reported with the field's path in the reference's notation, e.g.
``metadata.labels["os.modelarts/name"]`` or ``spec.resources[0].count``; several problems are joined
with ``"; "`` into one ``ModelArts.50004000`` message.

The display name (``os.modelarts/name``) must be 4–64 characters of lowercase letters, digits and ``-``,
starting with a letter (the Huawei EU page's length; the OTC edition says 4–25). The pool id is the name
plus ``-`` and 32 hex digits, so names longer than 30 characters give ids beyond the 63 characters the
SDK's ``pool_name`` docstring mentions; the sandbox accepts them as the service's documented rule does.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from pools.sandbox import errors
from pools.sandbox.flavors import CATALOG

NAME_LABEL = "os.modelarts/name"
WORKSPACE_LABEL = "os.modelarts/workspace.id"
BILLING_MODE = "os.modelarts/billing.mode"
PERIOD_TYPE = "os.modelarts/period.type"
PERIOD_NUM = "os.modelarts/period.num"
AUTO_RENEW = "os.modelarts/auto.renew"
AUTO_PAY = "os.modelarts/auto.pay"
ORDER_ID = "os.modelarts/order.id"

DEDICATE = "Dedicate"
LOGICAL = "Logical"
POOL_TYPES = (DEDICATE, LOGICAL)
SCOPES = ("Train", "Infer", "Notebook")
UPDATE_STRATEGIES = ("force", "idle")
MONTHLY = "2"
YEARLY = "3"
PERIOD_LIMITS = {MONTHLY: 9, YEARLY: 3}
MAX_NODES_PER_FLAVOR = 1000

NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{3,63}")
POSITIVE_INTEGER = re.compile(r"[1-9][0-9]*")
LABEL_KEY_PATTERN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._/-]{0,251}[A-Za-z0-9])?")
LABEL_VALUE_PATTERN = re.compile(r"([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?")


@dataclass(frozen=True)
class PoolRequest:
    """A valid CreatePool body, normalised (``maxCount`` filled in, workspace defaulted to ``"0"``)."""

    display_name: str
    workspace_id: str
    labels: dict[str, str]
    annotations: dict[str, str]
    spec: dict[str, Any]

    @property
    def billing_mode(self) -> str:
        return self.annotations.get(BILLING_MODE, "0")


def label_path(key: str) -> str:
    return f'metadata.labels["{key}"]'


def annotation_path(key: str) -> str:
    return f'metadata.annotations["{key}"]'


def is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a 400 saying why it is not one."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise errors.bad_request("request body: not valid JSON") from None
    if not isinstance(data, dict):
        raise errors.bad_request("request body: must be a JSON object")
    return data


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: str, problem: str) -> None:
        self.messages.append(f"{path}: {problem}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise errors.bad_request("; ".join(self.messages))


def _string_map(value: object, path: str, problems: _Problems) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(path, "must be an object")
        return {}
    result = {}
    for key, item in value.items():
        if not isinstance(item, str):
            problems.add(f'{path}["{key}"]', "must be a string")
        else:
            result[key] = item
    return result


def _check_labels(labels: dict[str, str], problems: _Problems) -> None:
    name = labels.get(NAME_LABEL)
    if name is None:
        problems.add(label_path(NAME_LABEL), "is required")
    elif not NAME_PATTERN.fullmatch(name):
        problems.add(
            label_path(NAME_LABEL),
            "must be 4-64 characters of lowercase letters, digits and '-', starting with a letter",
        )
    if WORKSPACE_LABEL in labels and not labels[WORKSPACE_LABEL]:
        problems.add(label_path(WORKSPACE_LABEL), "must not be empty")
    for key, value in labels.items():
        if key in (NAME_LABEL, WORKSPACE_LABEL):
            continue
        if not LABEL_KEY_PATTERN.fullmatch(key):
            problems.add(label_path(key), "is not a valid label key")
        elif not LABEL_VALUE_PATTERN.fullmatch(value):
            problems.add(
                label_path(key),
                "must be at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
            )


def _check_billing(annotations: dict[str, str], problems: _Problems) -> None:
    mode = annotations.get(BILLING_MODE, "0")
    if mode not in ("0", "1"):
        problems.add(annotation_path(BILLING_MODE), 'must be "0" (pay-per-use) or "1" (yearly/monthly)')
    if AUTO_RENEW in annotations and annotations[AUTO_RENEW] not in ("0", "1"):
        problems.add(annotation_path(AUTO_RENEW), 'must be "0" or "1"')
    if AUTO_PAY in annotations and annotations[AUTO_PAY] not in ("true", "false"):
        problems.add(annotation_path(AUTO_PAY), 'must be "true" or "false"')
    if mode != "1":
        return
    period_type = annotations.get(PERIOD_TYPE)
    if period_type is None:
        problems.add(annotation_path(PERIOD_TYPE), "is required for yearly/monthly billing")
    elif period_type not in PERIOD_LIMITS:
        problems.add(annotation_path(PERIOD_TYPE), 'must be "2" (month) or "3" (year)')
    period_num = annotations.get(PERIOD_NUM)
    if period_num is None:
        problems.add(annotation_path(PERIOD_NUM), "is required for yearly/monthly billing")
    elif not POSITIVE_INTEGER.fullmatch(period_num):
        problems.add(annotation_path(PERIOD_NUM), "must be a positive whole number")
    elif period_type in PERIOD_LIMITS and int(period_num) > PERIOD_LIMITS[period_type]:
        unit = "months" if period_type == MONTHLY else "years"
        problems.add(annotation_path(PERIOD_NUM), f"must be 1-{PERIOD_LIMITS[period_type]} {unit}")


def _check_azs(azs: object, count: int, path: str, region_azs: tuple[str, ...], problems: _Problems) -> None:
    if not isinstance(azs, list) or not azs:
        problems.add(path, "must be a non-empty list")
        return
    total = 0
    seen: set[str] = set()
    for index, entry in enumerate(azs):
        entry_path = f"{path}[{index}]"
        if not isinstance(entry, dict):
            problems.add(entry_path, "must be an object")
            continue
        az, az_count = entry.get("az"), entry.get("count")
        if az not in region_azs:
            problems.add(f"{entry_path}.az", f"must be one of {', '.join(region_azs)}")
        elif az in seen:
            problems.add(f"{entry_path}.az", "is listed twice")
        else:
            seen.add(az)
        if not is_count(az_count) or az_count < 1:
            problems.add(f"{entry_path}.count", "must be a whole number of at least 1")
        else:
            total += az_count
    if total and total != count:
        problems.add(path, f"counts add up to {total}, not the resource's count {count}")


def _check_resources(
    resources: object, pool_type: str, region_azs: tuple[str, ...], problems: _Problems
) -> list[dict[str, Any]]:
    if not isinstance(resources, list) or not resources:
        problems.add("spec.resources", "must be a non-empty list")
        return []
    normalised = []
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        path = f"spec.resources[{index}]"
        if not isinstance(resource, dict):
            problems.add(path, "must be an object")
            continue
        flavor_id, count = resource.get("flavor"), resource.get("count")
        if not isinstance(flavor_id, str) or not flavor_id:
            problems.add(f"{path}.flavor", "is required")
        elif flavor_id not in CATALOG:
            problems.add(f"{path}.flavor", f"unknown flavor {flavor_id!r}")
        elif flavor_id in seen:
            problems.add(f"{path}.flavor", f"{flavor_id!r} is listed twice")
        else:
            seen.add(flavor_id)
        if not is_count(count) or not 1 <= count <= MAX_NODES_PER_FLAVOR:
            problems.add(f"{path}.count", f"must be a whole number from 1 to {MAX_NODES_PER_FLAVOR}")
            continue
        max_count = resource.get("maxCount", count)
        if not is_count(max_count):
            problems.add(f"{path}.maxCount", "must be a whole number")
        elif pool_type == DEDICATE and max_count != count:
            problems.add(f"{path}.maxCount", "must equal count in a Dedicate (physical) pool")
        elif max_count < count:
            problems.add(f"{path}.maxCount", "must not be less than count")
        if "azs" in resource:
            _check_azs(resource["azs"], count, f"{path}.azs", region_azs, problems)
        for key in ("extendParams", "os", "dataVolumes", "volumeGroupConfigs"):
            if key in resource and not isinstance(resource[key], dict | list):
                problems.add(f"{path}.{key}", "must be an object")
        normalised.append({**copy.deepcopy(resource), "maxCount": max_count})
    return normalised


def _check_spec(spec: object, region_azs: tuple[str, ...], problems: _Problems) -> dict[str, Any]:
    if not isinstance(spec, dict):
        problems.add("spec", "is required and must be an object")
        return {}
    pool_type = spec.get("type")
    if pool_type not in POOL_TYPES:
        problems.add("spec.type", 'must be "Dedicate" or "Logical"')
    scope = spec.get("scope")
    if not isinstance(scope, list) or not scope:
        problems.add("spec.scope", "must be a non-empty list of Train, Infer, Notebook")
    elif any(item not in SCOPES for item in scope):
        problems.add("spec.scope", "may only contain Train, Infer and Notebook")
    elif len(set(scope)) != len(scope):
        problems.add("spec.scope", "lists a job type twice")
    resources = _check_resources(spec.get("resources"), pool_type, region_azs, problems)
    network = spec.get("network")
    if network is not None and not isinstance(network, dict):
        problems.add("spec.network", "must be an object")
    elif pool_type == DEDICATE and not (network and isinstance(network.get("name"), str) and network["name"]):
        problems.add("spec.network.name", "is required for a Dedicate (physical) pool")
    driver = spec.get("driver")
    if driver is not None:
        if not isinstance(driver, dict):
            problems.add("spec.driver", "must be an object")
        else:
            strategy = driver.get("updateStrategy")
            if strategy is not None and strategy not in UPDATE_STRATEGIES:
                problems.add("spec.driver.updateStrategy", 'must be "force" or "idle"')
            for key in ("gpuVersion", "npuVersion"):
                if key in driver and not isinstance(driver[key], str):
                    problems.add(f"spec.driver.{key}", "must be a string")
    job_flavors = spec.get("jobFlavors")
    if job_flavors is not None and not (
        isinstance(job_flavors, list) and all(isinstance(item, str) for item in job_flavors)
    ):
        problems.add("spec.jobFlavors", "must be a list of strings")
    return {**copy.deepcopy(spec), "resources": resources}


def validate_create(body: bytes, region_azs: tuple[str, ...]) -> PoolRequest:
    """The normalised request, or ``ApiError`` 400 naming every field that is wrong."""
    data = parse_json_object(body)
    problems = _Problems()
    if data.get("apiVersion") != "v2":
        problems.add("apiVersion", 'must be "v2"')
    if data.get("kind") != "Pool":
        problems.add("kind", 'must be "Pool"')
    metadata = data.get("metadata")
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    if not isinstance(metadata, dict):
        problems.add("metadata", "is required and must be an object")
    else:
        if not isinstance(metadata.get("labels"), dict):
            problems.add("metadata.labels", "is required and must be an object")
        else:
            labels = _string_map(metadata["labels"], "metadata.labels", problems)
            _check_labels(labels, problems)
        annotations = _string_map(metadata.get("annotations"), "metadata.annotations", problems)
        _check_billing(annotations, problems)
    spec = _check_spec(data.get("spec"), region_azs, problems)
    problems.raise_if_any()
    workspace = labels.get(WORKSPACE_LABEL, "0")
    return PoolRequest(
        display_name=labels[NAME_LABEL],
        workspace_id=workspace,
        labels={**labels, WORKSPACE_LABEL: workspace},
        annotations=annotations,
        spec=spec,
    )
