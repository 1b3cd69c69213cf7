"""Arbitrary text in every query parameter, header and body field of the API never makes a 500: bad input is
a 400 with field errors, in JSON. The pages' fuzzing (tests/views/test_fuzz_inputs.py) for the API, with the
same hostile text."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pools import permissions
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.api import api_client, token_for
from tests.fixtures.users import make_user
from tests.views.test_fuzz_inputs import FUZZ, HOSTILE_TEXT, values_for

pytestmark = pytest.mark.django_db

JSON_VALUES = st.one_of(
    HOSTILE_TEXT,
    st.none(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(HOSTILE_TEXT, max_size=3),
    st.dictionaries(HOSTILE_TEXT, HOSTILE_TEXT, max_size=3),
)


@dataclasses.dataclass
class Estate:
    client: Any
    connection: Any
    pool_name: str
    change_request: Any


@pytest.fixture
def estate(settings, seeded_sandbox, sandbox_connection, django_user_model) -> Estate:
    settings.API_APPROVAL_TOKENS = True
    requester = make_user(django_user_model, "api-fuzz-requester", permissions.OPERATOR)
    administrator = make_user(django_user_model, "api-fuzz-admin", permissions.ADMINISTRATOR)
    pool_name = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    change_request = change_requests.change_request_create(
        user=requester,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_name,
        body=None,
        reason="fuzzing",
        idempotency_key="api-fuzz",
    )
    client = api_client(token_for(administrator, scopes=["change", "approve"], days=1))
    return Estate(client, sandbox_connection, pool_name, change_request)


def assert_handled(response) -> None:
    """Below 500, or a 502 that says what ModelArts answered (a made-up page token is ModelArts' to refuse)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    if response.status_code == 502:
        assert response.json()["error"]["request_id"], response.content[:500]
        return
    assert response.status_code < 500, response.content[:500]
    if response.status_code == 400:
        assert response.json()["errors"]


def pool_url(estate: Estate, tail: str = "") -> str:
    return f"/api/v1/connections/{estate.connection.pk}/pools/{estate.pool_name}/{tail}"


@FUZZ
@given(query=values_for(("workspace", "status", "labels", "q")))
def test_pool_list_query(estate, query):
    assert_handled(estate.client.get(f"/api/v1/connections/{estate.connection.pk}/pools/", query))


@FUZZ
@given(query=values_for(("phase", "continue", "limit")))
def test_node_query(estate, query):
    assert_handled(estate.client.get(pool_url(estate, "nodes/"), query))


@FUZZ
@given(query=values_for(("range", "start", "end", "tz", "statistics", "period")))
def test_monitoring_query(estate, query):
    assert_handled(estate.client.get(pool_url(estate, "monitoring/"), query))


@FUZZ
@given(query=values_for(("workspace",)))
def test_statistics_query(estate, query):
    assert_handled(estate.client.get(f"/api/v1/connections/{estate.connection.pk}/statistics/", query))


@FUZZ
@given(query=values_for(("status", "kind", "mine", "connection", "awaiting_me", "page")))
def test_change_request_list_query(estate, query):
    assert_handled(estate.client.get("/api/v1/change-requests/", query))


@FUZZ
@given(query=values_for(("user", "action", "q", "start", "end", "page")))
def test_audit_query(estate, query):
    assert_handled(estate.client.get("/api/v1/audit-entries/", query))


@FUZZ
@given(
    body=st.fixed_dictionaries(
        {name: JSON_VALUES for name in ("connection", "kind", "target", "body", "reason")}
    ),
    key=HOSTILE_TEXT.filter(lambda text: "\n" not in text and "\r" not in text and "\x00" not in text),
)
def test_filing_body(estate, body, key):
    assert_handled(
        estate.client.post("/api/v1/change-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    )


@FUZZ
@given(body=st.fixed_dictionaries({"comment": JSON_VALUES, "text": JSON_VALUES}))
def test_comment_and_reject_bodies(estate, body):
    url = f"/api/v1/change-requests/{estate.change_request.pk}/"
    assert_handled(estate.client.post(url + "comments/", body, format="json"))
    assert_handled(estate.client.post(url + "reject/", {"comment": body["comment"]}, format="json"))


@FUZZ
@given(raw=HOSTILE_TEXT)
def test_bodies_that_are_not_json(estate, raw):
    answer = estate.client.post(
        "/api/v1/change-requests/",
        raw.encode("utf-8", "surrogatepass"),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="raw",
    )
    assert_handled(answer)


@FUZZ
@given(data=values_for(("name", "expires_in_days", "scopes", "password")))
def test_token_page_form(estate, django_user_model, data):
    from django.test import Client

    client = Client()
    client.force_login(django_user_model.objects.get(username="api-fuzz-admin"))
    answer = client.post("/api-tokens/", data)
    assert answer.status_code in (200, 400), answer.content[:300]
