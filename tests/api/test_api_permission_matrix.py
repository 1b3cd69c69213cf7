"""Every API route, every role, through tokens: who may GET, who may POST, and that a refused POST changes
nothing. The pages' matrix (tests/views/test_permission_matrix.py) for the API, with the same roles.

The routes come from the URL configuration: every route in the ``api`` namespace must have a row in
``ROUTES`` (``test_every_api_route_is_declared``). Each role calls with a token of the widest scopes its roles
let it have, and API_APPROVAL_TOKENS on, so that the roles alone decide; anonymous callers get 401.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import reverse

from pools import permissions
from pools.models import ApiToken
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.api import api_client, token_for
from tests.fixtures.users import make_user
from tests.views.test_permission_matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    APPROVING,
    AUDITING,
    NOBODY,
    NONE,
    OPERATOR,
    REQUESTER,
    REQUESTING,
    ROLES,
    SIGNED_IN,
    VIEWING,
    served_routes,
)

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class World:
    sandbox: Any
    connection: Any
    pool_name: str
    tokens: dict[str, str]
    change_request: Any


def widest_scopes(user) -> list[str]:
    scopes = []
    if user.has_perm(permissions.REQUEST_CHANGE) or user.has_perm(permissions.APPROVE_CHANGE):
        scopes.append("change")
    if user.has_perm(permissions.APPROVE_CHANGE):
        scopes.append("approve")
    return scopes


@pytest.fixture
def world(settings, seeded_sandbox, sandbox_connection, django_user_model) -> World:
    settings.API_APPROVAL_TOKENS = True
    users = {
        NOBODY: make_user(django_user_model, "api-matrix-nobody", None),
        REQUESTER: make_user(django_user_model, "api-matrix-requester", permissions.OPERATOR),
        **{
            role: make_user(django_user_model, f"api-matrix-{role.lower()}", role)
            for role in permissions.ROLE_PERMISSIONS
        },
    }
    pool_name = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    change_request = change_requests.change_request_create(
        user=users[REQUESTER],
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_name,
        body=None,
        reason="API permission matrix",
        idempotency_key="api-matrix",
    )
    tokens = {role: token_for(user, scopes=widest_scopes(user), days=1) for role, user in users.items()}
    seeded_sandbox.clear_calls()
    return World(seeded_sandbox, sandbox_connection, pool_name, tokens, change_request)


@dataclasses.dataclass(frozen=True)
class Route:
    get: frozenset[str]
    post: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] | None = None
    post_data: Callable[[World], dict[str, Any]] | None = None
    refused: frozenset[int] = frozenset({403})


def reads(roles: frozenset[str], **options) -> Route:
    return Route(get=roles, post=NONE, **options)


def the_connection(world: World) -> dict[str, Any]:
    return {"connection_id": world.connection.pk}


def the_pool(world: World) -> dict[str, Any]:
    return {"connection_id": world.connection.pk, "pool_name": world.pool_name}


def the_request(world: World) -> dict[str, Any]:
    return {"pk": world.change_request.pk}


def tag_request(world: World) -> dict[str, Any]:
    body = {"add": {"matrix": "yes"}, "remove": []}
    return {
        "connection": world.connection.pk,
        "kind": "pool_tags",
        "target": world.pool_name,
        "body": body,
        "reason": "API permission matrix",
    }


def comment(world: World) -> dict[str, str]:
    return {"comment": "from the API matrix", "text": "from the API matrix"}


SEEING = REQUESTING | APPROVING | AUDITING
SEES_REQUEST = APPROVING | AUDITING | {REQUESTER}
REQUEST_REFUSED = frozenset({403, 404})


def on_the_request(allowed: frozenset[str], data=None) -> Route:
    return Route(get=NONE, post=allowed, kwargs=the_request, post_data=data, refused=REQUEST_REFUSED)


ROUTES: dict[str, Route] = {
    "api:schema": reads(SIGNED_IN),
    "api:connection_list": reads(VIEWING),
    "api:pool_list": reads(VIEWING, kwargs=the_connection),
    "api:pool_detail": reads(VIEWING, kwargs=the_pool),
    "api:node_list": reads(VIEWING, kwargs=the_pool),
    "api:pool_monitoring": reads(VIEWING, kwargs=the_pool),
    "api:usage": reads(VIEWING, kwargs=the_connection),
    "api:statistics": reads(VIEWING, kwargs=the_connection),
    "api:change_request_list": Route(get=SEEING, post=REQUESTING, post_data=tag_request),
    "api:change_request_detail": reads(SEES_REQUEST, kwargs=the_request, refused=REQUEST_REFUSED),
    "api:change_request_comment": on_the_request(APPROVING | {REQUESTER}, comment),
    "api:change_request_cancel": on_the_request(frozenset({REQUESTER})),
    "api:change_request_approve": on_the_request(APPROVING, comment),
    "api:change_request_reject": on_the_request(APPROVING, comment),
    "api:audit_entry_list": reads(AUDITING),
}
# The docs page is for people in a browser (a session, not a token): tests/api/test_schema.py.
SESSION_PAGES = {"api:docs"}


def test_every_api_route_is_declared():
    served = {route.name for route in served_routes() if (route.name or "").startswith("api:")}
    assert served - SESSION_PAGES == set(ROUTES), "declare who may GET and POST each API route"


ALLOWED_ERRORS = {400, 409}


def snapshot(world: World) -> dict[str, Any]:
    """Every row of every table (sessions aside, and tokens' last use), the upstream calls, the pools."""
    rows = {}
    for model in apps.get_models():
        if not model._meta.managed or model is Session:
            continue
        values = list(model.objects.order_by("pk").values())
        if model is ApiToken:
            values = [{k: v for k, v in row.items() if k != "last_used_at"} for row in values]
        rows[model._meta.label] = values
    return {
        "rows": rows,
        "calls": world.sandbox.calls(),
        "pools": world.sandbox.pools(sandbox_account.PROJECT_ID),
    }


def check(world: World, name: str, route: Route, role: str, method: str) -> str | None:
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    allowed = role in (route.get if method == "GET" else route.post)
    client = api_client(world.tokens.get(role))
    before = snapshot(world)
    if method == "GET":
        response = client.get(url)
    else:
        data = route.post_data(world) if route.post_data else {}
        response = client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=f"matrix-{role}")
    status = response.status_code
    what = f"{method} {url} as {role}: {status}"
    if status >= 500:
        return f"{what}: a crash"
    if response["Content-Type"].split(";")[0] not in ("application/json", "application/vnd.oai.openapi"):
        return f"{what}: not JSON ({response['Content-Type']})"
    if allowed:
        if status in (401, 403, 404, 405) or (status >= 400 and status not in ALLOWED_ERRORS):
            return f"{what}: refused, but the table allows it"
        return None
    if role == ANONYMOUS:
        if status != 401:
            return f"{what}: expected 401"
    elif status != 405 and status not in route.refused:
        return f"{what}: expected {sorted(route.refused)} or 405"
    if method == "POST" and snapshot(world) != before:
        return f"{what}: a refused POST changed something"
    return None


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_api_route_answers_each_role_as_declared(world, name):
    route = ROUTES[name]
    pairs = [(method, role) for method in ("GET", "POST") for role in ROLES]
    pairs.sort(key=lambda pair: pair[1] in (route.get if pair[0] == "GET" else route.post))
    problems = [problem for method, role in pairs if (problem := check(world, name, route, role, method))]
    assert not problems, "\n".join(problems)


def test_the_matrix_catches_a_route_more_open_than_declared(world):
    declared_auditors_only = dataclasses.replace(ROUTES["api:pool_list"], get=AUDITING)
    problem = check(world, "api:pool_list", declared_auditors_only, OPERATOR, "GET")
    assert problem is not None and problem.endswith("expected [403] or 405")


def test_the_matrix_catches_a_refusal_the_table_does_not_expect(world):
    declared_open = dataclasses.replace(ROUTES["api:audit_entry_list"], get=SIGNED_IN)
    assert check(world, "api:audit_entry_list", declared_open, ADMINISTRATOR, "GET") is None
    assert check(world, "api:audit_entry_list", declared_open, OPERATOR, "GET").endswith(
        "refused, but the table allows it"
    )


def test_with_approval_tokens_off_nobody_approves_or_rejects(world, settings):
    settings.API_APPROVAL_TOKENS = False
    for name in ("api:change_request_approve", "api:change_request_reject"):
        refused_to_all = dataclasses.replace(ROUTES[name], post=NONE)
        problems = [check(world, name, refused_to_all, role, "POST") for role in ROLES]
        assert problems == [None] * len(ROLES)
