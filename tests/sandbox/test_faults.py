"""Injected faults, through the Python API and the unsigned control endpoints."""

import time

import pytest
import requests

from pools.sandbox import Fault
from tests.fixtures.sandbox import PROJECT_ID, pool_body
from tests.sandbox.helpers import REQUEST_ID, call, create


def control(sandbox, method, path, json=None):
    response = requests.request(method, f"{sandbox.url}/_sandbox{path}", json=json, timeout=5)
    assert REQUEST_ID.fullmatch(response.headers["X-Request-Id"])
    return response


@pytest.mark.parametrize(
    ("status", "code", "gateway"),
    [(500, "ModelArts.50005000", False), (503, "APIG.0202", True)],
)
def test_the_next_n_requests_fail(sandbox, status, code, gateway):
    sandbox.faults.error(status, count=2)

    answers = [call(sandbox, "GET", "/pools") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [status, status, 200]
    body = answers[0].json()
    assert body["error_code"] == code
    assert body["error_msg"]
    assert ("request_id" in body) is gateway
    assert sandbox.faults.active() == []


def test_throttling_answers_429_with_retry_after(sandbox):
    sandbox.faults.throttle(retry_after=7, count=1)

    response = call(sandbox, "GET", "/pools")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    body = response.json()
    assert body["error_code"] == "APIG.0308"
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert call(sandbox, "GET", "/pools").status_code == 200


def test_a_malformed_body_comes_with_200(sandbox):
    sandbox.faults.malformed(count=1)

    response = call(sandbox, "GET", "/pools")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()


def test_a_dropped_connection_gets_no_answer(sandbox):
    sandbox.faults.drop(count=1)

    with pytest.raises(requests.ConnectionError):
        call(sandbox, "GET", "/pools")
    assert call(sandbox, "GET", "/pools").status_code == 200
    assert [entry.status for entry in sandbox.call_log("ListPools")] == [0, 200]


def test_latency_delays_the_answer(sandbox):
    sandbox.faults.latency(300, count=1)

    started = time.monotonic()
    assert call(sandbox, "GET", "/pools").status_code == 200
    slow = time.monotonic() - started
    started = time.monotonic()
    call(sandbox, "GET", "/pools")
    fast = time.monotonic() - started

    assert slow >= 0.3
    assert fast < 0.3


def test_latency_adds_to_another_fault(sandbox):
    sandbox.faults.latency(200, count=1)
    sandbox.faults.error(500, count=1)

    started = time.monotonic()
    response = call(sandbox, "GET", "/pools")

    assert response.status_code == 500
    assert time.monotonic() - started >= 0.2


def test_a_fault_can_be_scoped_to_an_operation(sandbox):
    sandbox.faults.error(503, count=1, operation="ShowPoolStatistics")

    assert call(sandbox, "GET", "/pools").status_code == 200
    assert call(sandbox, "GET", "/statistics/pools").status_code == 503
    assert call(sandbox, "GET", "/statistics/pools").status_code == 200


def test_a_fault_can_be_scoped_to_a_method(sandbox):
    sandbox.faults.error(500, count=1, method="post")

    assert call(sandbox, "GET", "/pools").status_code == 200
    assert call(sandbox, "POST", "/pools", json=pool_body()).status_code == 500
    assert sandbox.pools(PROJECT_ID) == []


@pytest.mark.parametrize(("share", "failures"), [(1.0, 5), (0.0, 0)])
def test_a_share_of_requests(sandbox, share, failures):
    sandbox.faults.error(500, share=share)

    statuses = [call(sandbox, "GET", "/pools").status_code for _ in range(5)]

    assert statuses.count(500) == failures


def test_a_share_between_is_deterministic_per_seed(sandbox):
    def run():
        sandbox.faults.clear()
        sandbox.faults.error(500, share=0.5)
        return [call(sandbox, "GET", "/pools").status_code for _ in range(20)]

    first, second = run(), run()

    assert first == second
    assert 0 < first.count(500) < 20


def test_faults_apply_only_to_authenticated_requests(sandbox):
    sandbox.faults.error(500, count=1)

    assert call(sandbox, "GET", "/pools", sk="wrong").status_code == 401
    assert call(sandbox, "GET", "/pools").status_code == 500


def test_fail_next_creates_spends_only_on_accepted_creates(sandbox):
    sandbox.faults.fail_next_creates(1)
    bad = pool_body()
    bad["kind"] = "Pod"
    assert call(sandbox, "POST", "/pools", json=bad).status_code == 400

    failing = create(sandbox, "pool-fail")["metadata"]["name"]
    working = create(sandbox, "pool-work")["metadata"]["name"]
    sandbox.settle()

    assert sandbox.pool(PROJECT_ID, failing)["status"]["phase"] == "Error"
    assert sandbox.pool(PROJECT_ID, working)["status"]["phase"] == "Running"


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "error", "status": 404},
        {"kind": "error", "share": 2},
        {"kind": "error", "count": 0},
        {"kind": "error", "operation": "ListClusters"},
        {"kind": "latency", "latency_ms": -5},
        {"kind": "error", "colour": "red"},
        {"status": 500},
    ],
)
def test_bad_fault_rules_are_refused(rule):
    with pytest.raises((ValueError, TypeError)):
        Fault.from_json(rule)


def test_the_control_endpoint_lists_adds_and_clears_faults(sandbox):
    assert control(sandbox, "GET", "/faults").json() == {"faults": []}

    added = control(
        sandbox, "POST", "/faults", {"kind": "error", "status": 503, "count": 2, "operation": "ListPools"}
    )

    assert added.status_code == 200
    assert added.json()["faults"] == [
        {
            "kind": "error",
            "count": 2,
            "share": None,
            "status": 503,
            "latency_ms": 0,
            "retry_after": 1,
            "operation": "ListPools",
            "method": None,
            "includes_work": False,
        }
    ]
    assert call(sandbox, "GET", "/pools").status_code == 503
    assert control(sandbox, "GET", "/faults").json()["faults"][0]["count"] == 1
    assert control(sandbox, "DELETE", "/faults").json() == {"faults": []}
    assert call(sandbox, "GET", "/pools").status_code == 200


def test_the_control_endpoint_takes_several_faults(sandbox):
    control(
        sandbox,
        "POST",
        "/faults",
        {"faults": [{"kind": "throttle", "count": 1}, {"kind": "fail_create", "count": 1}]},
    )

    assert call(sandbox, "GET", "/pools").status_code == 429
    assert [rule.kind for rule in sandbox.faults.active()] == ["fail_create"]


@pytest.mark.parametrize("body", [{"kind": "nope"}, {"faults": "all"}, [1]])
def test_the_control_endpoint_refuses_bad_faults(sandbox, body):
    response = control(sandbox, "POST", "/faults", body)

    assert response.status_code == 400
    assert response.json()["error_code"] == "SANDBOX.400"
    assert sandbox.faults.active() == []


def test_reset_forgets_pools_faults_and_calls(sandbox):
    create(sandbox)
    sandbox.faults.error(500)
    sandbox.timings.creation_seconds = 1

    assert control(sandbox, "POST", "/reset").json() == {"reset": True}

    assert sandbox.calls() == 0
    assert sandbox.faults.active() == []
    assert sandbox.pools(PROJECT_ID) == []
    assert sandbox.timings.creation_seconds == 30


def test_seed_through_the_control_endpoint(sandbox):
    added = control(sandbox, "POST", "/seed", {"projectId": PROJECT_ID}).json()["added"]

    assert len(added) == 7
    assert len(sandbox.pools(PROJECT_ID)) == 7
    assert control(sandbox, "POST", "/seed", {"projectId": PROJECT_ID}).json() == {"added": []}


def test_calls_are_counted_per_operation(sandbox):
    call(sandbox, "GET", "/pools")
    call(sandbox, "GET", "/pools")
    call(sandbox, "GET", "/statistics/pools")
    call(sandbox, "GET", "/pools", sk="wrong")
    control(sandbox, "GET", "/faults")

    assert sandbox.calls("ListPools") == 3
    assert sandbox.calls("ShowPoolStatistics") == 1
    assert sandbox.calls() == 4
    assert [entry.status for entry in sandbox.call_log("ListPools")] == [200, 200, 401]
    assert control(sandbox, "GET", "/calls").json() == {
        "total": 4,
        "byOperation": {"ListPools": 3, "ShowPoolStatistics": 1},
    }
    assert control(sandbox, "DELETE", "/calls").json()["total"] == 0
    assert sandbox.calls() == 0


def test_the_clock_can_be_read_and_advanced(sandbox):
    name = create(sandbox)["metadata"]["name"]
    before = control(sandbox, "GET", "/clock").json()["epochSeconds"]

    after = control(sandbox, "POST", "/clock", {"advanceSeconds": 30}).json()

    assert after["epochSeconds"] == pytest.approx(before + 30)
    assert sandbox.pool(PROJECT_ID, name)["status"]["phase"] == "Running"
    assert control(sandbox, "POST", "/clock", {"advanceSeconds": -1}).status_code == 400


def test_timings_can_be_read_and_changed(sandbox):
    assert control(sandbox, "GET", "/timings").json()["creation_seconds"] == 30

    changed = control(sandbox, "POST", "/timings", {"creation_seconds": 2, "deletion_seconds": 1})

    assert changed.json()["creation_seconds"] == 2
    assert sandbox.timings.deletion_seconds == 1
    assert control(sandbox, "POST", "/timings", {"speed": 2}).status_code == 400
    assert control(sandbox, "POST", "/timings", {"creation_seconds": "fast"}).status_code == 400


def test_unknown_control_paths_are_not_found(sandbox):
    assert control(sandbox, "GET", "/nothing").status_code == 404
    assert control(sandbox, "GET", "").json()["endpoints"]


def test_latency_that_includes_the_work_is_the_whole_answer_time(sandbox):
    # The added 200 ms stands for slow work; the 400 ms answer time includes it rather than adding to it.
    sandbox.faults.latency(200, count=1)
    sandbox.faults.latency(400, count=1, includes_work=True)

    started = time.monotonic()
    assert call(sandbox, "GET", "/pools").status_code == 200
    elapsed = time.monotonic() - started

    assert 0.4 <= elapsed < 0.55


def test_latency_that_includes_the_work_also_holds_an_error_answer(sandbox):
    sandbox.faults.latency(300, count=1, includes_work=True)

    started = time.monotonic()
    assert call(sandbox, "GET", "/pools/no-such-pool").status_code == 404
    assert time.monotonic() - started >= 0.3


def test_includes_work_must_be_a_boolean():
    with pytest.raises(ValueError, match="includes_work"):
        Fault.from_json({"kind": "latency", "latency_ms": 5, "includes_work": "yes"})
