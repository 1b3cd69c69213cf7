"""Arbitrary text in every form field and query parameter never makes a 500: bad input gets a field error.

Each target is a route and the names it reads (POST fields or GET parameters); hypothesis fills every name
with text from ``HOSTILE_TEXT`` (unicode, control characters, huge strings, SQL- and HTML-looking text,
empty) and the test asserts the answer is below 500. The views catch upstream errors themselves, so an
exception escaping the view is a bug the Django test client re-raises here.

``CRAFTED`` adds values chosen by hand that random text rarely hits (a date at the end of the calendar, an
out-of-range zone offset, a statistic the API lacks): each must be refused with a message the page shows,
on a page that still renders, never with a 500 or a blank page.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.test.utils import ContextList
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pools import permissions
from pools.modelarts.timerange import TimeRange, TimeRangeError
from pools.sandbox import maintenance
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db

EXAMPLES = 40

SPECIMENS = (
    "",
    " ",
    "'; DROP TABLE pools_connection; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "{{ secret_key }}{% debug %}",
    "%s%n%x",
    "../../etc/passwd",
    "-1.-1.60",
    "custom",
    "2026-11-27T03:00",
    "0.0.0",
    "99999999999999999999.1.1",
    "2026-02-30",
    "\u202e\u0000\ufeff",
    "\ud7ff\U0001f600\u0301",
    "1e309",
    "NaN",
    "-0",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "99999",
    "p99",
    "a" * 70_000,
    "9" * 5_000,
)

HOSTILE_TEXT = st.one_of(
    st.sampled_from(SPECIMENS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.text(alphabet="0123456789.-:TZ+ ", max_size=30),
)

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def values_for(names: tuple[str, ...]):
    return st.fixed_dictionaries({name: HOSTILE_TEXT for name in names})


@dataclasses.dataclass
class Estate:
    sandbox: Any
    client: Client
    connection: Any
    pool_name: str
    change_request: Any


@pytest.fixture
def estate(seeded_sandbox, sandbox_connection, django_user_model) -> Estate:
    requester = make_user(django_user_model, "fuzz-requester", permissions.OPERATOR)
    administrator = make_user(django_user_model, "fuzz-admin", permissions.ADMINISTRATOR)
    pool_name = seeded_sandbox.pools(sandbox_account.PROJECT_ID)[0]["metadata"]["name"]
    change_request = change_requests.change_request_create(
        user=requester,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_name,
        body=None,
        reason="fuzzing",
        idempotency_key="fuzz",
    )
    client = Client()
    client.force_login(administrator)
    return Estate(seeded_sandbox, client, sandbox_connection, pool_name, change_request)


def assert_handled(response) -> None:
    assert response.status_code < 500, response.content[:500]


def pool_url(estate: Estate, name: str) -> str:
    return reverse(
        f"pools:{name}", kwargs={"connection_id": estate.connection.pk, "pool_name": estate.pool_name}
    )


# --- TimeRange.parse: a TimeRangeError or a TimeRange, nothing else ---


@FUZZ
@given(text=HOSTILE_TEXT)
def test_time_range_parse_raises_only_its_own_error(text):
    try:
        parsed = TimeRange.parse(text)
    except TimeRangeError:
        return
    assert TimeRange.parse(str(parsed)) == parsed


# --- Forms (POST) ---

CONNECTION_FIELDS = (
    "name",
    "region",
    "project_id",
    "endpoint",
    "workspace_id",
    "user_id",
    "access_key",
    "secret_key",
    "description",
)


@FUZZ
@given(data=values_for(CONNECTION_FIELDS))
def test_connection_create_form(estate, data):
    assert_handled(estate.client.post(reverse("pools:connection_create"), data))


@FUZZ
@given(data=values_for(CONNECTION_FIELDS))
def test_connection_edit_form(estate, data):
    assert_handled(
        estate.client.post(reverse("pools:connection_edit", kwargs={"pk": estate.connection.pk}), data)
    )


@FUZZ
@given(data=values_for(("username", "password")))
def test_login_form(db, data):
    assert_handled(Client().post(reverse("login"), data))


WIZARD_FIELDS = {
    "basics": (
        "action",
        "connection",
        "display_name",
        "description",
        "workspace_id",
        "node_prefix",
        "labels",
    ),
    "type": ("action", "type", "scope"),
    "resources": (
        "action",
        "form-TOTAL_FORMS",
        "form-INITIAL_FORMS",
        "form-0-flavor",
        "form-0-count",
        "form-0-max_count",
        "form-0-azs",
    ),
    "network": ("action", "network_name", "job_flavors", "gpu_version", "npu_version", "update_strategy"),
    "billing": (
        "action",
        "mode",
        "period_type",
        "period_num",
        "auto_renew",
        "auto_pay",
        "promotion_info",
        "console_url",
    ),
    "review": ("action", "reason"),
}


@pytest.mark.parametrize("step", list(WIZARD_FIELDS))
def test_wizard_steps(estate, step):
    start = estate.client.get(reverse("pools:pool_wizard_start"))
    wizard_id = start.url.rstrip("/").split("/")[-2]
    url = reverse("pools:pool_wizard_step", kwargs={"wizard_id": wizard_id, "step": step})

    @FUZZ
    @given(data=values_for(WIZARD_FIELDS[step]))
    def post_step(data):
        assert_handled(estate.client.post(url, data))
        assert_handled(estate.client.get(url, {**data, "check": "1"}))

    post_step()


@FUZZ
@given(data=values_for(("confirmation", "reason", "submission_key")))
def test_delete_pool_form(estate, data):
    assert_handled(estate.client.post(pool_url(estate, "delete_pool_request"), data))


@FUZZ
@given(
    data=values_for(("nodes", "confirm", "reason", "submission_key")),
    extra_nodes=st.lists(HOSTILE_TEXT, max_size=4),
)
def test_delete_nodes_form(estate, data, extra_nodes):
    url = pool_url(estate, "delete_nodes_request")
    assert_handled(estate.client.post(url, {**data, "nodes": [data["nodes"], *extra_nodes]}))
    assert_handled(estate.client.get(url, {"nodes": [data["nodes"], *extra_nodes]}))


@FUZZ
@given(data=values_for(("not_before", "redeploy", "auto_flow", "confirm_wipe", "reason", "workspace")))
def test_accept_event_form(estate, data):
    listed = maintenance.list_scheduled_events(estate.sandbox.store, sandbox_account.PROJECT_ID, {})
    event = next(event for event in listed["events"] if event["state"] == "inquiring")
    url = reverse(
        "pools:accept_event_request",
        kwargs={
            "connection_id": estate.connection.pk,
            "pool_name": event["poolName"],
            "event_id": event["id"],
        },
    )
    assert_handled(estate.client.post(url, data))
    assert_handled(estate.client.get(url, {"workspace": data["workspace"]}))


@pytest.mark.parametrize("action", ["reboot", "drain", "lock", "unlock", "reset"])
def test_node_action_forms(estate, action):
    url = pool_url(estate, f"{action}_nodes_request")

    @FUZZ
    @given(
        data=values_for(("nodes", "confirm", "reason", "submission_key", "strategy", "max_unavailable")),
        extra_nodes=st.lists(HOSTILE_TEXT, max_size=12),
    )
    def post_action(data, extra_nodes):
        assert_handled(estate.client.post(url, {**data, "nodes": [data["nodes"], *extra_nodes]}))
        assert_handled(estate.client.get(url, {"nodes": [data["nodes"], *extra_nodes]}))

    post_action()


@FUZZ
@given(node_name=HOSTILE_TEXT.filter(lambda text: text and "/" not in text), query=values_for(("refresh",)))
def test_node_page_with_any_node_name(estate, node_name, query):
    kwargs = {"connection_id": estate.connection.pk, "pool_name": estate.pool_name, "node_name": node_name}
    assert_handled(estate.client.get(reverse("pools:node_detail", kwargs=kwargs), query))


@pytest.mark.parametrize(
    ("route", "fields"),
    [
        ("change_request_approve", ("comment", "password")),
        ("change_request_reject", ("comment",)),
        ("change_request_comment", ("text",)),
    ],
)
def test_decision_forms(estate, route, fields):
    url = reverse(f"pools:{route}", kwargs={"pk": estate.change_request.pk})

    @FUZZ
    @given(data=values_for(fields))
    def post_decision(data):
        assert_handled(estate.client.post(url, data))

    post_decision()


# --- Query parameters of the browse, approval and audit pages ---

QUERY_TARGETS = {
    "pool_list": ("connection", "workspace", "status", "labels", "q", "sort", "refresh"),
    "pool_nodes": ("phase", "after", "refresh"),
    "pool_monitoring": ("range", "start", "end", "tz", "statistics", "period"),
    "pool_monitoring_csv": ("range", "start", "end", "tz", "statistics", "period"),
    "pool_detail": ("refresh",),
    "pool_events": ("type", "page", "refresh"),
    "events_inbox": ("type", "pool", "refresh"),
    "pool_workloads": ("status", "type", "refresh"),
    "pool_workload_counts": ("refresh",),
    "audit_log": ("user", "action", "q", "start", "end", "page", "verify"),
    "approval_history": ("status", "kind", "page"),
    "my_requests": ("status", "page"),
}


@pytest.mark.parametrize("route", list(QUERY_TARGETS))
def test_query_parameters(estate, route):
    if route.startswith("pool_") and route != "pool_list":
        url = pool_url(estate, route)
    else:
        url = reverse(f"pools:{route}")

    @FUZZ
    @given(query=values_for(QUERY_TARGETS[route]))
    def get_page(query):
        assert_handled(estate.client.get(url, query))
        assert_handled(estate.client.get(url, query, headers={"HX-Request": "true"}))

    get_page()


# --- Crafted values: a field error the page shows, never a 500 or a blank page ---

CALENDAR_ENDS = [
    {"end": "9999-12-31"},
    {"start": "9999-12-31"},
    {"start": "0001-01-01", "end": "0001-01-02"},
    {"end": "12/31/9999"},
]
MONITOR_CRAFTED = [
    {"tz": "99999"},
    {"tz": "-99999"},
    {"tz": "1.5"},
    {"statistics": "p99"},
    {"statistics": ""},
    {"range": "1y"},
    {"period": "7"},
    {"range": "custom", "start": "9999-12-31T23:59", "end": "9999-12-31T23:59", "tz": "-840"},
    {"range": "custom", "start": "0001-01-01T00:00", "end": "0001-01-01T00:10", "tz": "840"},
    {"range": "custom", "start": "2026-01-01T00:00", "end": "9999-12-31T23:59"},
]
CRAFTED: dict[str, list[dict[str, str]]] = {
    "audit_log": CALENDAR_ENDS,
    "pool_monitoring": MONITOR_CRAFTED,
    "pool_list": [{"status": "p99"}, {"sort": "sideways"}, {"workspace": "<b>"}, {"labels": "\u00e9=1"}],
    "pool_nodes": [{"phase": "p99"}, {"after": "\u00e9"}],
    "pool_workloads": [{"status": "p99"}, {"type": "scale"}],
    "approval_history": [{"status": "p99"}, {"kind": "scale"}],
    "my_requests": [{"status": "p99"}],
    "pool_events": [{"type": "Fatal"}, {"page": "<script>"}],
    "events_inbox": [{"type": "Fatal"}, {"pool": "\u202e"}],
}


def crafted_cases():
    return [
        pytest.param(route, query, id=f"{route}-{'&'.join(f'{k}={v}' for k, v in query.items())}")
        for route, queries in CRAFTED.items()
        for query in queries
    ]


def forms_in(response) -> list[forms.BaseForm]:
    """The bound forms the page was rendered with."""
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    found: list[forms.BaseForm] = []
    for context in contexts:
        for value in context.flatten().values() if context is not None else ():
            if isinstance(value, forms.BaseForm) and value.is_bound and value not in found:
                found.append(value)
    return found


def route_url(estate: Estate, route: str) -> str:
    return (
        pool_url(estate, route)
        if route.startswith("pool_") and route != "pool_list"
        else reverse(f"pools:{route}")
    )


@pytest.mark.parametrize(("route", "query"), crafted_cases())
def test_a_crafted_value_is_refused_with_a_message_the_page_shows(estate, route, query):
    url = route_url(estate, route)
    page = estate.client.get(url, query)
    # Template partials send no rendering signal, so the errors come from the page; the part htmx swaps in
    # for the same query must show them too.
    part = estate.client.get(url, query, headers={"HX-Request": "true"})

    errors = [error for form in forms_in(page) for errors in form.errors.values() for error in errors]
    assert errors, f"{query} was accepted"
    for response in (page, part):
        assert response.status_code in (200, 400), response.content[:500]
        html = response.content.decode()
        hidden = [error for error in errors if escape(error) not in html]
        assert not hidden, f"errors found but not shown: {hidden}"
    assert "<form" in page.content.decode()  # the page around the message still renders


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("query", CALENDAR_ENDS)
def test_an_audit_export_with_a_date_at_the_calendar_end_says_why(estate, fmt, query):
    response = estate.client.get(reverse("pools:audit_export", args=[fmt]), query)

    assert response.status_code == 400
    assert "Enter a date from 2000-01-01 to 2999-12-31." in response.content.decode()


@pytest.mark.parametrize("query", MONITOR_CRAFTED)
def test_a_monitoring_csv_with_a_crafted_value_says_why_in_text(estate, query):
    response = estate.client.get(pool_url(estate, "pool_monitoring_csv"), query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.strip()
