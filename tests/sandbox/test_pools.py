"""CreatePool, ShowPool, ListPools and DeletePool over HTTP: shapes, validation, states and filters."""

import re

import pytest

from tests.fixtures.sandbox import PROJECT_ID, pool_body
from tests.sandbox.helpers import call, create, phase

POOL_ID = re.compile(r"pool-demo-[0-9a-f]{32}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_create_answers_the_early_snapshot(sandbox):
    pool = create(sandbox, "pool-demo", labels={"team": "vision"})

    assert pool["apiVersion"] == "v2"
    assert pool["kind"] == "Pool"
    assert POOL_ID.fullmatch(pool["metadata"]["name"])
    assert TIMESTAMP.fullmatch(pool["metadata"]["creationTimestamp"])
    assert pool["metadata"]["labels"]["os.modelarts/name"] == "pool-demo"
    assert pool["metadata"]["labels"]["os.modelarts/tenant.project.id"] == PROJECT_ID
    assert pool["metadata"]["labels"]["team"] == "vision"
    assert pool["spec"]["resources"] == [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2, "maxCount": 2}]
    assert pool["status"] == {"resources": {}}


def test_a_new_pool_is_creating_then_running(sandbox):
    name = create(sandbox)["metadata"]["name"]

    assert phase(sandbox, name) == "Creating"
    sandbox.advance(29)
    assert phase(sandbox, name) == "Creating"
    sandbox.advance(1)
    assert phase(sandbox, name) == "Running"


def test_the_creation_delay_is_configurable(sandbox):
    sandbox.timings.creation_seconds = 5
    name = create(sandbox)["metadata"]["name"]

    sandbox.advance(5)

    assert phase(sandbox, name) == "Running"


def test_a_creating_pool_reports_its_nodes_as_creating(sandbox):
    name = create(sandbox)["metadata"]["name"]

    pool = call(sandbox, "GET", f"/pools/{name}").json()

    assert pool["status"]["resources"] == {
        "creating": [
            {
                "flavor": "modelarts.vm.gpu.t4u8",
                "count": 2,
                "maxCount": 2,
                "azs": [{"az": "cn-north-4a", "count": 1}, {"az": "cn-north-4b", "count": 1}],
            }
        ]
    }
    assert [scope["state"] for scope in pool["status"]["scope"]] == ["Enabling", "Enabling"]


def test_a_running_pool_has_its_resources_in_the_documented_array_form(sandbox):
    name = create(sandbox, count=3)["metadata"]["name"]
    sandbox.settle()

    pool = call(sandbox, "GET", f"/pools/{name}").json()

    assert pool["status"]["phase"] == "Running"
    assert pool["status"]["root"] == name
    assert pool["status"]["resources"]["available"] == [
        {
            "flavor": "modelarts.vm.gpu.t4u8",
            "count": 3,
            "maxCount": 3,
            "azs": [
                {"az": "cn-north-4a", "count": 1},
                {"az": "cn-north-4b", "count": 1},
                {"az": "cn-north-4c", "count": 1},
            ],
        }
    ]
    assert [scope["state"] for scope in pool["status"]["scope"]] == ["Enabled", "Enabled"]
    assert pool["status"]["driver"]["gpu"]["state"] == "Running"


def test_a_pool_told_to_fail_ends_in_error_and_stays_listed(sandbox):
    sandbox.faults.fail_next_creates(1)
    failed = create(sandbox, "pool-fails")["metadata"]["name"]
    healthy = create(sandbox, "pool-works")["metadata"]["name"]

    sandbox.settle()

    assert phase(sandbox, failed) == "Error"
    assert phase(sandbox, healthy) == "Running"
    failed_pool = call(sandbox, "GET", f"/pools/{failed}").json()
    assert "insufficient resources" in failed_pool["status"]["message"]
    assert failed_pool["status"]["resources"] == {}
    listed = call(sandbox, "GET", "/pools?status=failed").json()["items"]
    assert [pool["metadata"]["name"] for pool in listed] == [failed]


def test_failed_pools_are_forgotten_after_three_days(sandbox):
    sandbox.faults.fail_next_creates(1)
    failed = create(sandbox)["metadata"]["name"]

    sandbox.advance(30 + 3 * 24 * 3600)

    assert call(sandbox, "GET", f"/pools/{failed}").status_code == 404


def test_a_yearly_pool_reaches_running(sandbox):
    yearly = {
        "os.modelarts/billing.mode": "1",
        "os.modelarts/period.type": "3",
        "os.modelarts/period.num": "1",
        "os.modelarts/order.id": "CS2501010800ABCDE",
    }
    name = create(sandbox, annotations=yearly)["metadata"]["name"]

    sandbox.settle()

    assert phase(sandbox, name) == "Running"


def test_a_yearly_pool_gets_its_order_on_create(sandbox):
    """ModelArts makes the order when it creates the pool and records its id there; none is sent."""
    yearly = {
        "os.modelarts/billing.mode": "1",
        "os.modelarts/period.type": "2",
        "os.modelarts/period.num": "1",
    }
    name = create(sandbox, annotations=yearly)["metadata"]["name"]
    order_id = call(sandbox, "GET", f"/pools/{name}").json()["metadata"]["annotations"][
        "os.modelarts/order.id"
    ]
    assert re.fullmatch(r"CS\d{10}[0-9A-Z]{5}", order_id)
    given = create(
        sandbox, "pool-given", annotations={**yearly, "os.modelarts/order.id": "CS2501010800ABCDE"}
    )
    assert given["metadata"]["annotations"]["os.modelarts/order.id"] == "CS2501010800ABCDE"


def test_an_unpaid_yearly_pool_waits_for_its_order_when_payment_takes_time(sandbox):
    sandbox.timings.payment_seconds = 60
    yearly = {
        "os.modelarts/billing.mode": "1",
        "os.modelarts/period.type": "2",
        "os.modelarts/period.num": "3",
        "os.modelarts/order.id": "CS2501010800ABCDE",
    }
    waiting = create(sandbox, "pool-waits", annotations=yearly)["metadata"]["name"]
    paid = create(sandbox, "pool-paid", annotations={**yearly, "os.modelarts/auto.pay": "true"})["metadata"][
        "name"
    ]

    assert (phase(sandbox, waiting), phase(sandbox, paid)) == ("Waiting", "Creating")
    sandbox.advance(60)
    assert phase(sandbox, waiting) == "Creating"
    sandbox.advance(30)
    assert phase(sandbox, waiting) == "Running"


def test_a_duplicate_display_name_conflicts(sandbox):
    create(sandbox, "pool-demo")

    response = call(sandbox, "POST", "/pools", json=pool_body("pool-demo"))

    assert response.status_code == 409
    assert response.json() == {"error_code": "ModelArts.50015000", "error_msg": "Pool already exists."}


def test_the_same_display_name_in_another_project_is_fine(sandbox):
    from tests.fixtures.sandbox import OTHER_AK, OTHER_PROJECT_ID, OTHER_SK

    create(sandbox, "pool-demo")
    response = call(
        sandbox,
        "POST",
        "/pools",
        json=pool_body("pool-demo"),
        project_id=OTHER_PROJECT_ID,
        ak=OTHER_AK,
        sk=OTHER_SK,
    )

    assert response.status_code == 200


def _with(path, value):
    """A valid body with one field (a dotted path, list indexes as numbers) set or removed (value None)."""
    body = pool_body()
    *parents, last = path
    target = body
    for key in parents:
        target = target[key]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return body


RESOURCES = ("spec", "resources", 0)
LABELS = ("metadata", "labels")
ANNOTATIONS = ("metadata", "annotations")
YEARLY = {
    "os.modelarts/billing.mode": "1",
    "os.modelarts/period.type": "2",
    "os.modelarts/period.num": "1",
    "os.modelarts/order.id": "CS1",
}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(_with(("apiVersion",), "v1"), "apiVersion", id="api-version"),
        pytest.param(_with(("kind",), "Pools"), "kind", id="kind"),
        pytest.param(_with(("metadata",), None), "metadata", id="no-metadata"),
        pytest.param(
            _with((*LABELS, "os.modelarts/name"), None), 'metadata.labels["os.modelarts/name"]', id="no-name"
        ),
        pytest.param(
            _with((*LABELS, "os.modelarts/name"), "abc"), 'metadata.labels["os.modelarts/name"]', id="short"
        ),
        pytest.param(
            _with((*LABELS, "os.modelarts/name"), "a" * 65), 'metadata.labels["os.modelarts/name"]', id="long"
        ),
        pytest.param(
            _with((*LABELS, "os.modelarts/name"), "Pool-demo"),
            'metadata.labels["os.modelarts/name"]',
            id="upper",
        ),
        pytest.param(
            _with((*LABELS, "os.modelarts/name"), "1pool"), 'metadata.labels["os.modelarts/name"]', id="digit"
        ),
        pytest.param(
            _with((*LABELS, "os.modelarts/name"), "pool_demo"),
            'metadata.labels["os.modelarts/name"]',
            id="underscore",
        ),
        pytest.param(_with((*LABELS, "team"), "not a value!"), 'metadata.labels["team"]', id="label-value"),
        pytest.param(
            _with((*ANNOTATIONS, "os.modelarts/billing.mode"), "2"),
            'metadata.annotations["os.modelarts/billing.mode"]',
            id="billing",
        ),
        pytest.param(
            _with(ANNOTATIONS, {**YEARLY, "os.modelarts/period.type": "4"}),
            'metadata.annotations["os.modelarts/period.type"]',
            id="period-type",
        ),
        pytest.param(
            _with(ANNOTATIONS, {**YEARLY, "os.modelarts/period.num": "0"}),
            'metadata.annotations["os.modelarts/period.num"]',
            id="period-zero",
        ),
        pytest.param(
            _with(ANNOTATIONS, {**YEARLY, "os.modelarts/period.num": "10"}),
            'metadata.annotations["os.modelarts/period.num"]',
            id="ten-months",
        ),
        pytest.param(
            _with(ANNOTATIONS, {**YEARLY, "os.modelarts/period.type": "3", "os.modelarts/period.num": "4"}),
            'metadata.annotations["os.modelarts/period.num"]',
            id="four-years",
        ),
        pytest.param(
            _with(ANNOTATIONS, {**YEARLY, "os.modelarts/period.num": "one"}),
            'metadata.annotations["os.modelarts/period.num"]',
            id="period-text",
        ),
        pytest.param(
            _with((*ANNOTATIONS, "os.modelarts/billing.mode"), "1"),
            'metadata.annotations["os.modelarts/period.type"]',
            id="period-missing",
        ),
        pytest.param(
            _with((*ANNOTATIONS, "os.modelarts/auto.renew"), "yes"),
            'metadata.annotations["os.modelarts/auto.renew"]',
            id="auto-renew",
        ),
        pytest.param(_with(("spec",), None), "spec", id="no-spec"),
        pytest.param(_with(("spec", "type"), "Physical"), "spec.type", id="type"),
        pytest.param(_with(("spec", "scope"), []), "spec.scope", id="scope-empty"),
        pytest.param(_with(("spec", "scope"), ["Train", "Serve"]), "spec.scope", id="scope-unknown"),
        pytest.param(_with(("spec", "resources"), []), "spec.resources", id="resources-empty"),
        pytest.param(
            _with((*RESOURCES, "flavor"), "modelarts.vm.gpu.nope"), "spec.resources[0].flavor", id="flavor"
        ),
        pytest.param(_with((*RESOURCES, "count"), 0), "spec.resources[0].count", id="count-zero"),
        pytest.param(_with((*RESOURCES, "count"), "2"), "spec.resources[0].count", id="count-text"),
        pytest.param(_with((*RESOURCES, "maxCount"), 3), "spec.resources[0].maxCount", id="max-count"),
        pytest.param(
            _with((*RESOURCES, "azs"), [{"az": "cn-north-4z", "count": 2}]),
            "spec.resources[0].azs[0].az",
            id="az",
        ),
        pytest.param(
            _with((*RESOURCES, "azs"), [{"az": "cn-north-4a", "count": 1}]),
            "spec.resources[0].azs",
            id="az-sum",
        ),
        pytest.param(_with(("spec", "network"), None), "spec.network.name", id="network"),
        pytest.param(
            _with(("spec", "driver"), {"updateStrategy": "later"}), "spec.driver.updateStrategy", id="driver"
        ),
    ],
)
def test_a_bad_body_names_the_field(sandbox, body, field):
    response = call(sandbox, "POST", "/pools", json=body)

    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error_code"] == "ModelArts.50004000"
    assert f"{field}: " in error["error_msg"]
    assert sandbox.pools(PROJECT_ID) == []


def test_every_problem_is_reported_at_once(sandbox):
    body = pool_body()
    body["kind"] = "Pod"
    body["spec"]["resources"][0]["count"] = -1

    message = call(sandbox, "POST", "/pools", json=body).json()["error_msg"]

    assert "kind: " in message
    assert "spec.resources[0].count: " in message


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(sandbox, body):
    response = call(sandbox, "POST", "/pools", body=body)

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith("request body: ")


def test_a_logical_pool_needs_no_network_and_may_be_elastic(sandbox):
    body = pool_body("logical-pool", pool_type="Logical", flavor="modelarts.vm.cpu.8ud", scope=("Notebook",))
    body["spec"]["resources"][0]["maxCount"] = 4

    response = call(sandbox, "POST", "/pools", json=body)

    assert response.status_code == 200, response.text
    assert response.json()["spec"]["resources"][0] == {
        "flavor": "modelarts.vm.cpu.8ud",
        "count": 2,
        "maxCount": 4,
    }


def test_names_up_to_sixty_four_characters_are_accepted(sandbox):
    name = "p" + "a1-" * 21

    assert len(name) == 64
    assert create(sandbox, name)["metadata"]["labels"]["os.modelarts/name"] == name


def test_show_pool_of_an_unknown_pool_is_not_found(sandbox):
    response = call(sandbox, "GET", "/pools/pool-nothing-00000000000000000000000000000000")

    assert response.status_code == 404
    assert response.json() == {"error_code": "ModelArts.50015001", "error_msg": "pool not found"}


def test_delete_answers_the_pool_as_accepted_then_it_is_deleting_then_gone(sandbox):
    name = create(sandbox)["metadata"]["name"]
    sandbox.settle()

    response = call(sandbox, "DELETE", f"/pools/{name}")

    assert response.status_code == 200
    snapshot = response.json()
    assert snapshot["metadata"]["name"] == name
    assert TIMESTAMP.fullmatch(snapshot["metadata"]["deletionTimestamp"])
    assert snapshot["status"]["phase"] == "Running"
    deleting = call(sandbox, "GET", f"/pools/{name}").json()
    assert deleting["status"]["phase"] == "Deleting"
    assert deleting["status"]["resources"]["deleting"][0]["count"] == 2
    sandbox.advance(19)
    assert phase(sandbox, name) == "Deleting"
    sandbox.advance(1)
    gone = call(sandbox, "GET", f"/pools/{name}")
    assert gone.status_code == 404
    assert gone.json()["error_code"] == "ModelArts.50015001"
    assert call(sandbox, "GET", "/pools").json()["items"] == []


def test_deleting_a_pool_twice_conflicts(sandbox):
    name = create(sandbox)["metadata"]["name"]
    call(sandbox, "DELETE", f"/pools/{name}")

    response = call(sandbox, "DELETE", f"/pools/{name}")

    assert response.status_code == 409
    assert response.json()["error_code"] == "ModelArts.50015002"


def test_deleting_an_unknown_pool_is_not_found(sandbox):
    response = call(sandbox, "DELETE", "/pools/pool-nothing-00000000000000000000000000000000")

    assert response.status_code == 404


def test_a_creating_pool_can_be_deleted(sandbox):
    name = create(sandbox)["metadata"]["name"]

    assert call(sandbox, "DELETE", f"/pools/{name}").json()["status"]["phase"] == "Creating"
    assert phase(sandbox, name) == "Deleting"


def test_a_failed_pool_can_be_deleted(sandbox):
    """DeletePool takes a pool in any phase but Deleting: a failed pool is what one most needs to delete."""
    sandbox.faults.fail_next_creates(1)
    name = create(sandbox, "pool-fail")["metadata"]["name"]
    sandbox.settle()
    assert phase(sandbox, name) == "Error"

    response = call(sandbox, "DELETE", f"/pools/{name}")

    assert response.status_code == 200 and response.json()["status"]["phase"] == "Error"
    assert phase(sandbox, name) == "Deleting"
    sandbox.advance(sandbox.timings.deletion_seconds)
    assert call(sandbox, "GET", f"/pools/{name}").status_code == 404


@pytest.fixture
def estate(sandbox):
    """Four pools: two running in workspace 0 (teams a and b), one failed, one creating in workspace w1."""
    create(sandbox, "pool-aaaa", labels={"team": "a", "env": "prod"})
    create(sandbox, "pool-bbbb", labels={"team": "b"})
    sandbox.faults.fail_next_creates(1)
    create(sandbox, "pool-fail", labels={"team": "a"})
    sandbox.settle()
    create(sandbox, "pool-wone", workspace="w1", labels={"env": "prod"})
    return sandbox


def listed(sandbox, query=""):
    response = call(sandbox, "GET", f"/pools{query}")
    assert response.status_code == 200, response.text
    return sorted(pool["metadata"]["labels"]["os.modelarts/name"] for pool in response.json()["items"])


@pytest.mark.parametrize(
    ("query", "names"),
    [
        # Without workspaceId: the default workspace "0" only, as documented; never every workspace.
        ("", ["pool-aaaa", "pool-bbbb", "pool-fail"]),
        ("?workspaceId=0", ["pool-aaaa", "pool-bbbb", "pool-fail"]),
        ("?workspaceId=w1", ["pool-wone"]),
        ("?workspaceId=w2", []),
        ("?status=created", ["pool-aaaa", "pool-bbbb"]),
        ("?status=failed", ["pool-fail"]),
        ("?status=creating", []),
        ("?status=creating&workspaceId=w1", ["pool-wone"]),
        ("?labelSelector=team%3Da", ["pool-aaaa", "pool-fail"]),
        ("?labelSelector=team%3D%3Da", ["pool-aaaa", "pool-fail"]),
        ("?labelSelector=team%21%3Da", ["pool-bbbb"]),
        ("?labelSelector=team%21%3Da&workspaceId=w1", ["pool-wone"]),
        ("?labelSelector=env", ["pool-aaaa"]),
        ("?labelSelector=env&workspaceId=w1", ["pool-wone"]),
        ("?labelSelector=%21env", ["pool-bbbb", "pool-fail"]),
        ("?labelSelector=team%3Da%2Cenv%3Dprod", ["pool-aaaa"]),
        ("?labelSelector=os.modelarts%2Fname%3Dpool-bbbb", ["pool-bbbb"]),
        ("?status=created&labelSelector=env%3Dprod&workspaceId=0", ["pool-aaaa"]),
    ],
)
def test_list_filters(estate, query, names):
    assert listed(estate, query) == names


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=running", "status"),
        ("?labelSelector=team%20in%20(a%2Cb)", "labelSelector"),
        ("?labelSelector=%3Da", "labelSelector"),
        ("?labelSelector=team%3Da%2C", "labelSelector"),
    ],
)
def test_list_rejects_bad_filters(sandbox, query, field):
    response = call(sandbox, "GET", f"/pools{query}")

    assert response.status_code == 400
    assert response.json()["error_msg"].startswith(f"{field}: ")


def test_list_is_in_creation_order_and_matches_show(sandbox):
    first = create(sandbox, "pool-first")["metadata"]["name"]
    sandbox.advance(1)
    second = create(sandbox, "pool-second")["metadata"]["name"]

    items = call(sandbox, "GET", "/pools").json()["items"]

    assert [pool["metadata"]["name"] for pool in items] == [first, second]
    assert items[0] == call(sandbox, "GET", f"/pools/{first}").json()


def test_concurrent_creates_of_one_name_admit_exactly_one(sandbox):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as executor:
        statuses = list(
            executor.map(
                lambda _: call(sandbox, "POST", "/pools", json=pool_body("pool-race")).status_code, range(8)
            )
        )

    assert sorted(statuses) == [200] + [409] * 7
    assert len(sandbox.pools(PROJECT_ID)) == 1
