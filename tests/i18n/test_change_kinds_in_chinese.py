"""Every kind of change request reads in Simplified Chinese: its summary and its call's notes on its request
page, why it refuses a body, what in the live state stands against it, and what changed since it was filed.

The page test (test_pages_in_chinese.py) reads the one request the permission matrix files, a pool deletion;
this files one of every kind (``tests/i18n/kinds.py``), in each shape that words it differently.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pools.change_kinds import KINDS, change_kind
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest
from tests.i18n.kinds import (
    NODES,
    POOL,
    REQUESTS,
    T4,
    V100,
    assert_chinese,
    english_words,
    in_both,
    request_of,
)
from tests.i18n.page_text import english_left


def test_every_kind_is_read_here():
    assert set(REQUESTS) == set(KINDS)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_each_kind_s_request_page_reads_in_chinese(kind, connection, operator, approver):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(approver)
    for number, (target, body, snapshot) in enumerate(REQUESTS[kind]):
        filed = ChangeRequest.objects.create(
            connection=connection,
            kind=kind,
            target=target,
            body=body,
            snapshot=snapshot,
            reason="测试",
            requested_by=operator,
            idempotency_key=f"{kind}-{number}",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        page = client.get(reverse("pools:change_request_detail", args=[filed.pk])).content.decode()

        english, chinese = in_both(lambda filed=filed: filed.summary)
        assert_chinese(english, chinese)
        assert escape(chinese) in page
        assert [text for text in english_left(page) if english_words(text)] == [], (kind, number)


@pytest.mark.parametrize(
    ("kind", "number"), [(k, n) for k, cases in REQUESTS.items() for n in range(len(cases))]
)
def test_each_call_note_reads_in_chinese(kind, number):
    target, body, snapshot = REQUESTS[kind][number]
    filed = request_of(kind, target, body, snapshot)
    english, chinese = in_both(lambda: change_kind(kind).describe(filed).notes)
    for english_note, chinese_note in zip(english, chinese, strict=True):
        assert_chinese(english_note, chinese_note)


# Bodies each kind refuses, one per refusal it words.
REFUSED = {
    "create_pool": [("Bad Name!", {}), ("pool-vision", {"apiVersion": "v1"}), ("pool-vision", None)],
    "delete_pool": [(POOL, {"x": 1}), ("no/such id", None)],
    "delete_nodes": [(POOL, {"nodeNames": NODES})],
    "scale_pool": [(POOL, {"spec": {}})],
    "edit_pool": [(POOL, {"spec": {"scope": ["Batch"]}})],
    "pool_tags": [(POOL, {"add": {}, "remove": []})],
    "reboot_nodes": [(POOL, {"nodeNames": []}), (POOL, {"nodeNames": NODES, "extra": 1})],
    "drain_nodes": [(POOL, {"nodeNames": [f"node-{n}" for n in range(11)]})],
    "lock_nodes": [(POOL, {"nodeNames": NODES, "actions": ["drain"]})],
    "unlock_nodes": [(POOL, {"nodeNames": "node"})],
    "reset_nodes": [(POOL, {"nodeNames": NODES, "rollingConfig": {"strategy": "Rolling"}})],
    "accept_event": [(POOL, {"eventId": "se-1"})],
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_each_refusal_of_a_body_reads_in_chinese(kind):
    assert set(REFUSED) == set(KINDS)
    for target, body in REFUSED[kind]:

        def refusal(target=target, body=body) -> str:
            with pytest.raises(ApplicationError) as refused:
                change_kind(kind).validate(target, body)
            return str(refused.value.message)

        english, chinese = in_both(refusal)
        # Some refusals quote the API's JSON shape ("count", "spec"): those words stay as the API has them.
        assert chinese != english and any("\u4e00" <= character <= "\u9fff" for character in chinese), chinese


RUNNING = {"exists": True, "phase": "Running", "node_count": 3, "nodes_by_state": {"available": 3}}
# Live states that stand against each kind, as many of its own problems at once as can be.
AGAINST = {
    "create_pool": {"pools_with_name": ["pool-vision-x1"]},
    "delete_pool": {"exists": True, "phase": "Deleting"},
    "delete_nodes": {
        **RUNNING,
        "nodes": {NODES[0]: "Deleting"},
        "nodes_left_after": 0,
        "locks": {NODES[0]: ["delete"]},
    },
    "scale_pool": {**RUNNING, "counts": {T4: 1, V100: 2}, "nodes_by_state": {"creating": 1, "deleting": 1}},
    "edit_pool": {**RUNNING, "accelerator": "npu"},
    "pool_tags": {**RUNNING, "tags": {f"k{number}": "v" for number in range(20)}},
    "reboot_nodes": {**RUNNING, "nodes": {NODES[0]: "Creating", NODES[1]: "Available"}},
    "drain_nodes": {**RUNNING, "nodes": dict.fromkeys(NODES, "Available"), "locks": {NODES[0]: ["delete"]}},
    "lock_nodes": {**RUNNING, "nodes": dict.fromkeys(NODES, "Available"), "locks": {NODES[0]: ["delete"]}},
    "unlock_nodes": {**RUNNING, "nodes": dict.fromkeys(NODES, "Available")},
    "reset_nodes": {
        **RUNNING,
        "nodes": dict.fromkeys(NODES, "Available"),
        "flavors": dict.fromkeys(NODES, T4),
    },
    "accept_event": {
        "exists": True,
        "state": "scheduled",
        "planned_start": "2098-01-01T00:00:00Z",
        "redeploy_types": ["SOFT"],
        "pool_name": "pool-other",
    },
}
GONE = {"exists": False}


def body_of(kind: str, number: int = 0):
    return REQUESTS[kind][number][1]


# The body read against AGAINST: a rolling reset (refused on virtual machines), an acceptance starting after
# the planned start with a HARD redeploy no longer offered, a scale that leaves out a flavor.
AGAINST_BODY = {
    **{kind: body_of(kind) for kind in KINDS},
    "reset_nodes": body_of("reset_nodes", 1),
    "scale_pool": {"spec": {"resources": [{"flavor": T4, "count": 1}]}},
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_what_stands_against_each_kind_reads_in_chinese(kind):
    target = REQUESTS[kind][0][0]
    # A pool that is gone stands against every change to a pool (and the event that is gone, against its
    # acceptance); a create is about a pool that does not exist yet.
    for live in (AGAINST[kind], GONE) if kind != "create_pool" else (AGAINST[kind],):
        english, chinese = in_both(
            lambda live=live: change_kind(kind).problems(target, AGAINST_BODY[kind], live)
        )
        assert chinese, (kind, live)
        for english_problem, chinese_problem in zip(english, chinese, strict=True):
            assert_chinese(english_problem, chinese_problem)


FILED = {**RUNNING, "node_total": 4, "nodes": dict.fromkeys(NODES, "Available"), "workloads": 1}
NOW = {
    **FILED,
    "phase": "Abnormal",
    "node_count": 2,
    "nodes_by_state": {"available": 1, "abnormal": 1},
    "node_total": 3,
    "nodes": {NODES[0]: "Abnormal"},
    "workloads": 3,
}
# (the live state when filed, now) that changed in every way each kind tells.
CHANGED = {
    "create_pool": (
        {"pool_count": 1, "pools_with_name": []},
        {"pool_count": 2, "pools_with_name": ["pool-x"]},
    ),
    "scale_pool": ({**RUNNING, "counts": {T4: 1}}, {**NOW, "counts": {T4: 2}}),
    "edit_pool": (
        {**RUNNING, "description": "vision", "scope": ["Train"], "driver": {}},
        {**NOW, "description": "speech", "scope": ["Infer"], "driver": {"gpuVersion": "535.161.08"}},
    ),
    "pool_tags": ({**RUNNING, "tags": {"team": "vision"}}, {**NOW, "tags": {"team": "speech"}}),
    "accept_event": (
        {"exists": True, "state": "inquiring", "planned_start": "", "redeploy_types": ["SOFT"]},
        {"exists": True, "state": "scheduled", "planned_start": "2098-01-01T00:00:00Z", "redeploy_types": []},
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_what_changed_since_filing_reads_in_chinese(kind):
    snapshot, live = CHANGED.get(kind, (FILED, NOW))
    for now in (live, GONE) if kind != "create_pool" else (live,):
        english, chinese = in_both(lambda now=now: change_kind(kind).changes(snapshot, now))
        assert chinese, (kind, now)
        for english_change, chinese_change in zip(english, chinese, strict=True):
            assert_chinese(english_change, chinese_change)
