"""One change request of every kind, in the shapes that word its summary and its call's notes differently,
and a check that a text reads in Chinese: for the zh-hans tests of the change kinds."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.utils import translation

from pools.change_kinds.pool_body import build_create_pool_body
from pools.modelarts.vocabulary import ANNOTATION_AUTO_PAY, ANNOTATION_DESCRIPTION, ANNOTATION_ORDER_ID
from tests.i18n.page_text import TOKEN, is_ui_word

T4, V100 = "modelarts.vm.gpu.t4u8", "modelarts.vm.gpu.v100"
POOL = "pool-vision-a1b2"
NODES = ["os-node-created-aaaaa", "os-node-created-bbbbb"]
CJK = re.compile(r"[\u4e00-\u9fff]")
# A text may quote the API's JSON ({"tags": [...]}): its keys are the API's, not the interface's words.
QUOTED = re.compile(r'"[^"]*"')


def _create_body(display_name: str) -> dict:
    return build_create_pool_body(
        {
            "basics": {"display_name": display_name, "workspace_id": "0"},
            "type": {"type": "Dedicate", "scope": ["Train", "Infer"]},
            "resources": {"rows": [{"flavor": T4, "count": 2}]},
            "network": {"network_name": "net-vision"},
            "billing": {"mode": "1", "period_type": "2", "period_num": 3, "auto_pay": True},
        }
    )


def _accept(accept: dict) -> dict:
    return {
        "eventId": "se-1",
        "workspaceId": "0",
        "nodeName": NODES[0],
        "eventType": "Instance.Redeploy",
        "accept": accept,
    }


AUTO_PAY = {"annotations": {ANNOTATION_ORDER_ID: "", ANNOTATION_AUTO_PAY: "1"}}
# kind -> (target, body, snapshot) of each request filed; the snapshot is what the call's notes compare with.
REQUESTS: dict[str, list[tuple[str, object, dict]]] = {
    "create_pool": [("pool-vision", _create_body("pool-vision"), {})],
    "delete_pool": [(POOL, None, {"display_name": "vision"}), (POOL, None, {})],
    "delete_nodes": [(POOL, {"deleteNodeNames": NODES[:1]}, {}), (POOL, {"deleteNodeNames": NODES}, {})],
    "scale_pool": [
        (
            POOL,
            {
                "metadata": AUTO_PAY,
                "spec": {"resources": [{"flavor": T4, "count": 1}, {"flavor": V100, "count": 2}]},
            },
            {"counts": {T4: 3}},
        )
    ],
    "edit_pool": [
        (
            POOL,
            {
                "metadata": {"annotations": {ANNOTATION_DESCRIPTION: "Vision team"}},
                "spec": {
                    "scope": ["Train"],
                    "driver": {"gpuVersion": "535.161.08", "updateStrategy": "force"},
                },
            },
            {},
        )
    ],
    "pool_tags": [(POOL, {"add": {"team": "vision"}, "remove": ["cost"]}, {})],
    "reboot_nodes": [(POOL, {"nodeNames": NODES[:1]}, {}), (POOL, {"nodeNames": NODES}, {})],
    "drain_nodes": [(POOL, {"nodeNames": NODES}, {})],
    "lock_nodes": [(POOL, {"nodeNames": NODES, "actions": ["delete"]}, {})],
    "unlock_nodes": [(POOL, {"nodeNames": NODES[:1], "actions": ["delete"]}, {})],
    "reset_nodes": [
        (POOL, {"nodeNames": NODES}, {}),
        (
            POOL,
            {"nodeNames": NODES, "rollingConfig": {"strategy": "RollingByNumber", "maxUnavailable": 1}},
            {},
        ),
        (
            POOL,
            {"nodeNames": NODES, "rollingConfig": {"strategy": "RollingByPercent", "maxUnavailable": 50}},
            {},
        ),
    ],
    "accept_event": [
        (
            POOL,
            _accept(
                {"notBefore": "2099-01-01T02:00:00Z", "redeployConfig": {"type": "HARD", "autoFlow": "false"}}
            ),
            {},
        ),
        (POOL, _accept({"redeployConfig": {"type": "SOFT", "autoFlow": "true"}}), {}),
        (POOL, _accept({}), {}),
    ],
}


def request_of(kind: str, target: str, body, snapshot: dict | None = None, **fields) -> SimpleNamespace:
    """What a kind reads of a change request, without a row."""
    request = {"kind": kind, "target": target, "body": body, "snapshot": snapshot or {}, "tracking": {}}
    return SimpleNamespace(**{**request, **fields})


def in_both(produce) -> tuple:
    """``produce()`` read in English and in Simplified Chinese."""
    with translation.override("en"):
        english = produce()
    with translation.override("zh-hans"):
        chinese = produce()
    return english, chinese


def english_words(text: str) -> list[str]:
    """The common English interface words ``text`` still holds (names and ids are single tokens, not words;
    quoted JSON is the API's)."""
    return [token for token in TOKEN.findall(QUOTED.sub("", str(text))) if is_ui_word(token)]


def assert_chinese(english: str, chinese: str) -> None:
    """``chinese`` is ``english`` translated: it differs, it is written in Chinese and no English is left."""
    assert chinese != english, english
    assert CJK.search(chinese), chinese
    assert english_words(chinese) == [], chinese
