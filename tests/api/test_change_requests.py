"""Change requests through the API, against the sandbox: list, read, file (every kind, idempotently), comment,
cancel; the same rules and the same audit entries as the pages, noting the token's name."""

from __future__ import annotations

import pytest

from pools.api.change_requests import IDEMPOTENCY_KEY_NEEDED
from pools.change_kinds import KINDS
from pools.models import ChangeRequest
from pools.services.change_requests import messages
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.api import api_client, token_for
from tests.fixtures.connections import entries_for  # noqa: F401 (shape of parsed entries)
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/change-requests/"
T4 = "modelarts.vm.gpu.t4u8"


def valid_body(kind: str, sandbox) -> tuple[str, object]:
    """(target, body) of a request of ``kind`` that the seeded sandbox allows."""
    infer = sandbox_account.pool_id(sandbox, "infer-t4")
    nodes = [node["metadata"]["name"] for node in sandbox.nodes(sandbox_account.PROJECT_ID, infer)]
    return {
        "create_pool": ("api-new-pool", sandbox_account.pool_body("api-new-pool")),
        "delete_pool": (infer, None),
        "delete_nodes": (infer, {"deleteNodeNames": nodes[:1]}),
        "scale_pool": (infer, {"spec": {"resources": [{"flavor": T4, "count": 13}]}}),
        "edit_pool": (infer, {"spec": {"scope": ["Train", "Infer"]}}),
        "pool_tags": (infer, {"add": {"team": "vision"}, "remove": []}),
        "reboot_nodes": (infer, {"nodeNames": nodes[:2]}),
        "drain_nodes": (infer, {"nodeNames": nodes[:1]}),
        "lock_nodes": (infer, {"nodeNames": nodes[:1]}),
    }[kind]


def filing(connection, kind: str, target: str, body, reason: str = "from CI") -> dict:
    return {"connection": connection.pk, "kind": kind, "target": target, "body": body, "reason": reason}


def create_entries(change_request_pk: int) -> list[dict]:
    from django.contrib.admin.models import LogEntry

    from pools.core.audit_messages import parse_message

    return [
        parse_message(entry)
        for entry in LogEntry.objects.filter(object_id=str(change_request_pk)).order_by("pk")
        if parse_message(entry)["action"] == "change_request.create"
    ]


KNOWN_BODIES = (
    "create_pool",
    "delete_pool",
    "delete_nodes",
    "scale_pool",
    "edit_pool",
    "pool_tags",
    "reboot_nodes",
    "drain_nodes",
    "lock_nodes",
)


@pytest.mark.parametrize("kind", [kind for kind in KNOWN_BODIES if kind in KINDS])
def test_filing_each_kind_is_audited_as_the_pages_do_with_the_token_name(
    operator_api, operator, seeded_sandbox, sandbox_connection, kind
):
    target, body = valid_body(kind, seeded_sandbox)
    answer = operator_api.post(
        URL, filing(sandbox_connection, kind, target, body), format="json", HTTP_IDEMPOTENCY_KEY=f"key-{kind}"
    )
    assert answer.status_code == 201, answer.json()
    data = answer.json()["data"]
    assert data["kind"] == kind and data["status"] == "pending" and data["requested_by"] == operator.username
    [entry] = create_entries(data["id"])
    assert entry["details"]["api_token"] == "ci-pipeline"
    assert entry["details"]["reason"] == "from CI"
    assert seeded_sandbox.calls("DeletePool") == seeded_sandbox.calls("PatchPool") == 0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_checks_its_body_through_the_api(operator_api, seeded_sandbox, sandbox_connection, kind):
    target = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    answer = operator_api.post(
        URL,
        filing(sandbox_connection, kind, target, {"nonsense": [1]}),
        format="json",
        HTTP_IDEMPOTENCY_KEY="nonsense",
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) <= {"body", "target", "nodes", KINDS[kind].problem_field}
    assert not ChangeRequest.objects.exists()


def test_the_same_idempotency_key_files_once(operator_api, seeded_sandbox, sandbox_connection):
    target, body = valid_body("pool_tags", seeded_sandbox)
    first = operator_api.post(
        URL, filing(sandbox_connection, "pool_tags", target, body), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = operator_api.post(
        URL, filing(sandbox_connection, "pool_tags", target, body), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert ChangeRequest.objects.count() == 1


def test_a_key_sent_again_with_another_body_is_a_conflict(operator_api, seeded_sandbox, sandbox_connection):
    target, body = valid_body("pool_tags", seeded_sandbox)
    first = operator_api.post(
        URL, filing(sandbox_connection, "pool_tags", target, body), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    changed = {**filing(sandbox_connection, "pool_tags", target, body), "reason": "Another reason."}
    again = operator_api.post(URL, changed, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == messages.SUBMISSION_REUSED.format(
        pk=first.json()["data"]["id"]
    )
    assert ChangeRequest.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "x" * 65])
def test_filing_needs_an_idempotency_key(operator_api, seeded_sandbox, sandbox_connection, key):
    target, body = valid_body("delete_pool", seeded_sandbox)
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    answer = operator_api.post(
        URL, filing(sandbox_connection, "delete_pool", target, body), format="json", **headers
    )
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"Idempotency-Key": [IDEMPOTENCY_KEY_NEEDED]}


def test_bad_bodies_are_field_errors(operator_api, sandbox_connection):
    answer = operator_api.post(
        URL, {"connection": "x", "kind": "explode", "reason": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"connection", "kind", "target", "reason"}
    not_json = operator_api.post(URL, "{", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert not_json.status_code == 400


def test_a_refusal_by_the_live_state_is_a_field_error(operator_api, seeded_sandbox, sandbox_connection):
    target = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    answer = operator_api.post(
        URL,
        filing(sandbox_connection, "delete_nodes", target, {"deleteNodeNames": ["no-such-node"]}),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert answer.status_code == 400 and answer.json()["errors"]


def test_a_duplicate_is_a_conflict_naming_the_open_request(operator_api, seeded_sandbox, sandbox_connection):
    target, body = valid_body("delete_pool", seeded_sandbox)
    first = operator_api.post(
        URL, filing(sandbox_connection, "delete_pool", target, body), format="json", HTTP_IDEMPOTENCY_KEY="a"
    )
    second = operator_api.post(
        URL, filing(sandbox_connection, "delete_pool", target, body), format="json", HTTP_IDEMPOTENCY_KEY="b"
    )
    assert second.status_code == 409
    existing = ChangeRequest.objects.get(pk=first.json()["data"]["id"])
    assert second.json()["error"]["message"] == messages.ALREADY_REQUESTED.format(
        pk=existing.pk, status=existing.get_status_display().lower()
    )


def test_an_upstream_failure_while_filing_says_so_with_the_request_id(
    operator_api, seeded_sandbox, sandbox_connection
):
    target, body = valid_body("delete_pool", seeded_sandbox)
    seeded_sandbox.faults.error(500, operation="ShowPool")
    answer = operator_api.post(
        URL, filing(sandbox_connection, "delete_pool", target, body), format="json", HTTP_IDEMPOTENCY_KEY="a"
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["message"].startswith(f"Reading the live state of {target} failed")
    assert error["request_id"] and error["status"] == "500"


@pytest.fixture
def filed(operator_api, seeded_sandbox, sandbox_connection) -> dict:
    target, body = valid_body("delete_pool", seeded_sandbox)
    answer = operator_api.post(
        URL, filing(sandbox_connection, "delete_pool", target, body), format="json", HTTP_IDEMPOTENCY_KEY="f"
    )
    return answer.json()["data"]


def test_list_filters_and_detail(operator_api, approver, filed):
    mine = operator_api.get(URL, {"status": "pending", "kind": "delete_pool"}).json()
    assert [item["id"] for item in mine["data"]] == [filed["id"]] and mine["count"] == 1
    assert operator_api.get(URL, {"status": "rejected"}).json()["data"] == []
    assert operator_api.get(URL, {"status": "sleeping"}).status_code == 400
    detail = api_client(token_for(approver)).get(f"{URL}{filed['id']}/").json()["data"]
    assert detail["timeline"][0]["action"] == "create" and detail["body"] is None


def test_another_operator_sees_nothing_of_it(django_user_model, filed):
    other = make_user(django_user_model, "other-operator", "Operator")
    client = api_client(token_for(other, scopes=["change"]))
    assert client.get(f"{URL}{filed['id']}/").status_code == 404
    assert client.get(URL).json()["data"] == []
    assert client.post(f"{URL}{filed['id']}/cancel/").status_code == 404


def test_comment_and_cancel_are_audited_with_the_token(operator_api, filed):
    comment = operator_api.post(f"{URL}{filed['id']}/comments/", {"text": "see ticket 42"}, format="json")
    assert comment.status_code == 201
    assert comment.json()["data"]["comments"][0]["text"] == "see ticket 42"
    assert operator_api.post(f"{URL}{filed['id']}/comments/", {"text": ""}, format="json").status_code == 400
    cancel = operator_api.post(f"{URL}{filed['id']}/cancel/")
    assert cancel.status_code == 200 and cancel.json()["data"]["status"] == "cancelled"
    again = operator_api.post(f"{URL}{filed['id']}/cancel/")
    assert again.status_code == 409
    detail = operator_api.get(f"{URL}{filed['id']}/").json()["data"]
    assert [item["action"] for item in detail["timeline"]] == ["create", "comment", "cancel"]
    from django.contrib.admin.models import LogEntry

    from pools.core.audit_messages import parse_message

    entries = [parse_message(e) for e in LogEntry.objects.filter(object_id=str(filed["id"])).order_by("pk")]
    notes = [
        (e["action"], e["details"].get("api_token")) for e in entries if e["action"].startswith("change_")
    ]
    assert notes == [
        ("change_request.create", "ci-pipeline"),
        ("change_request.comment", "ci-pipeline"),
        ("change_request.cancel", "ci-pipeline"),
    ]


def test_a_token_without_the_change_scope_files_comments_and_cancels_nothing(
    operator, filed, sandbox_connection
):
    reader = api_client(token_for(operator, name="read-only"))
    assert reader.get(f"{URL}{filed['id']}/").status_code == 200
    refused = [
        reader.post(
            URL, filing(sandbox_connection, "delete_pool", "x", None), format="json", HTTP_IDEMPOTENCY_KEY="r"
        ),
        reader.post(f"{URL}{filed['id']}/comments/", {"text": "hi"}, format="json"),
        reader.post(f"{URL}{filed['id']}/cancel/"),
    ]
    assert [answer.status_code for answer in refused] == [403, 403, 403]
    assert "'change' scope" in refused[0].json()["error"]["message"]
    assert ChangeRequest.objects.get(pk=filed["id"]).status == "pending"


def test_a_connection_the_user_may_not_use_is_a_field_error(operator_api, seeded_sandbox, sandbox_connection):
    target, body = valid_body("delete_pool", seeded_sandbox)
    request = {
        **filing(sandbox_connection, "delete_pool", target, body),
        "connection": sandbox_connection.pk + 9,
    }
    answer = operator_api.post(URL, request, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert answer.status_code == 400 and list(answer.json()["errors"]) == ["connection"]
    listed = operator_api.get(URL, {"connection": sandbox_connection.pk + 9})
    assert listed.status_code == 400 and list(listed.json()["errors"]) == ["connection"]
