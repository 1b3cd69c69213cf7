"""ListResourceFlavors (``GET /v1/{project_id}/resourceflavors``): the sandbox's flavor catalog as ModelArts
lists what it sells, with each availability zone's capacity state in ``status.phase`` (``normal`` or
``soldout``, the SDK's ``ResourceFlavorStatus``).

Which zones are sold out is the store's ``sold_out`` map (flavor id → zones), seeded from ``SOLD_OUT`` below
so the demo shows some; tests change it at will. PatchPool refuses to place new nodes in a sold-out zone
that the request names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pools.sandbox import errors, paging
from pools.sandbox.flavors import CATALOG, Flavor
from pools.sandbox.store import Store

# Zone suffixes ("c" → "<region>c") sold out from the start.
SOLD_OUT = {"modelarts.bm.gpu.ant8": ("c",), "modelarts.bm.npu.arm.8snt9b3.d": ("b",)}
NORMAL = "normal"
SOLDOUT = "soldout"
JOB_TYPES = "Train,Infer,Notebook"


def default_sold_out(azs: tuple[str, ...]) -> dict[str, set[str]]:
    return {flavor_id: {az for az in azs if az[-1] in suffixes} for flavor_id, suffixes in SOLD_OUT.items()}


def sold_out_zones(store: Store, flavor_id: str) -> set[str]:
    if store.sold_out is None:
        store.sold_out = default_sold_out(store.azs)
    return store.sold_out.get(flavor_id, set())


def _accelerator(spec: Flavor) -> dict[str, str]:
    return {
        "type": spec.accelerator_model,
        "size": str(spec.accelerators),
        "memory": f"{spec.accelerator_memory_gib}Gi",
        "card": str(spec.accelerators),
        "chip": str(spec.accelerators),
    }


def render_flavor(store: Store, spec: Flavor) -> dict[str, Any]:
    sold_out = sold_out_zones(store, spec.id)
    body: dict[str, Any] = {
        "type": "Dedicate",
        "cpuArch": "arm64" if spec.arch == "arm" else "x86",
        "cpu": str(spec.cpu),
        "memory": f"{spec.memory_gib}Gi",
        "dataVolume": [{"volumeType": "SSD", "size": f"{spec.disk_gib}Gi"}],
        "billingModes": [0, 1],
        "jobFlavors": [],
    }
    if spec.kind in ("GPU", "NPU"):
        body[spec.kind.lower()] = _accelerator(spec)
    return {
        "apiVersion": "v1",
        "kind": "ResourceFlavor",
        "metadata": {"name": spec.id, "labels": {"os.modelarts/scope": JOB_TYPES}},
        "spec": body,
        "status": {"phase": {az: SOLDOUT if az in sold_out else NORMAL for az in store.azs}},
    }


def list_resource_flavors(store: Store, query: Mapping[str, str]) -> dict[str, Any]:
    try:
        limit = paging.parse_limit(query.get("limit"))
    except ValueError as problem:
        raise errors.bad_request(f"limit: {problem}") from None
    with store.lock:
        items = [render_flavor(store, spec) for spec in CATALOG.values()][:limit]
    return {"apiVersion": "v1", "kind": "ResourceFlavorList", "metadata": {}, "items": items}
