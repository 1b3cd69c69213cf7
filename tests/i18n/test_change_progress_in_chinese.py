"""How far a change has got, as each kind reads it off ModelArts (``ChangeKind.observe``), is written in the
language of whoever looks (it goes into the request's outcome message). The client here is a stand-in that
answers what each kind asks; the kinds themselves run as they do against ModelArts."""

from __future__ import annotations

from types import SimpleNamespace as Value

import pytest

from pools.change_kinds import change_kind
from pools.modelarts.workloads import JOB_FAILED
from tests.i18n.kinds import NODES, POOL, REQUESTS, T4, assert_chinese, in_both, request_of


def node(name: str, phase: str = "Available", locked=(), ip: str = "10.0.0.1") -> Value:
    return Value(name=name, phase=phase, locked_actions=tuple(locked), private_ip=ip)


class Pool(Value):
    def nodes_in(self, state: str) -> int:
        return self.states.get(state, 0)


class StandIn:
    """The few reads ``observe`` makes, answered from fixed values."""

    def __init__(self, **answers):
        self.answers = answers

    def show_pool(self, name):
        return self.answers["pool"]

    def iter_nodes(self, pool_name):
        return iter(self.answers["nodes"])

    def list_workloads(self, pool_name, host_ips):
        return Value(
            items=[Value(is_active=True, host_ips=list(host_ips))] * self.answers.get("workloads", 0)
        )

    def list_jobs(self, **query):
        jobs = self.answers["jobs"]
        return Value(items=jobs, find=lambda job_id: next((j for j in jobs if j.job_id == job_id), None))

    def list_orders(self, pool_name):
        return Value(named=lambda name: self.answers["order"])

    def show_order(self, name):
        return Value(statuses=lambda: {"successed": 1, "creating": 1}, items=[Value(message="quota")])

    def show_pool_tags(self, name):
        return Value(as_dict=lambda: self.answers["tags"])

    def list_scheduled_events(self, **query):
        return Value(items=[self.answers["event"]])


SCALING = Pool(
    name=POOL,
    resources=[Value(flavor=T4, count=3)],
    states={"available": 2, "creating": 1},
    order_name="order-1",
)
JOB = Value(job_id="job-1", phase=JOB_FAILED, message="", node_names=NODES)
LOOKS = [
    (
        "scale_pool",
        StandIn(pool=SCALING, order=Value(billing_order_id="CS-1", phase="paying", fail_reason="")),
    ),
    ("scale_pool", StandIn(pool=SCALING, order=None)),
    ("scale_pool", StandIn(pool=Pool(**{**SCALING.__dict__, "order_name": ""}))),
    (
        "edit_pool",
        StandIn(
            pool=Pool(
                description="Vision team",
                scope=["Train"],
                driver={"gpuVersion": "535.161.08", "updateStrategy": "force"},
                raw={"status": {"driver": {"gpu": {"state": "Upgrading"}}}},
            )
        ),
    ),
    ("pool_tags", StandIn(tags={"team": "vision"})),
    ("pool_tags", StandIn(tags={})),
    ("reboot_nodes", StandIn(jobs=[JOB], nodes=[node(NODES[0], "Rebooting")])),
    ("reset_nodes", StandIn(jobs=[], nodes=[node(name) for name in NODES])),
    ("drain_nodes", StandIn(nodes=[node(name) for name in NODES], workloads=2)),
    ("drain_nodes", StandIn(nodes=[node(name) for name in NODES], workloads=0)),
    ("lock_nodes", StandIn(nodes=[node(NODES[0], locked=["delete"]), node(NODES[1])])),
    ("unlock_nodes", StandIn(nodes=[node(NODES[0], locked=["delete"])])),
    ("accept_event", StandIn(event=Value(id="se-1", state="canceled", not_before=None, progress=""))),
    ("accept_event", StandIn(event=Value(id="se-1", state="executing", not_before=None, progress="40%"))),
]


@pytest.mark.parametrize(("kind", "client"), LOOKS, ids=[f"{kind}-{n}" for n, (kind, _) in enumerate(LOOKS)])
def test_how_far_a_change_got_reads_in_chinese(kind, client):
    target, body, snapshot = REQUESTS[kind][0]
    # Followed since the call (a scale reads its order off the pool), not found again after a lost answer.
    looked_at = request_of(
        kind, target, body, snapshot, execution_started_at=None, tracking={"since": "call"}
    )

    english, chinese = in_both(lambda: change_kind(kind).observe(client, looked_at).progress)

    assert_chinese(english, chinese)
