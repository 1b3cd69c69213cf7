"""Every route, every role: who may GET, who may POST, and that a refused POST changes nothing.

The routes come from the URL configuration, not from this file: every route in the ``pools`` namespace and
under /accounts/ must have a row in ``ROUTES`` (a new view without one fails ``test_every_route_is_declared``),
plus a few Django admin basics. For each route and each role the test sends a GET and a POST:

* anonymous, where not allowed: a redirect to the log-in page (the admin's own, for /admin/);
* a signed-in role that is not allowed: 403 (or 404 where the route says existence must not leak, or 405
  where the method is not offered at all), and a POST changes no row in any table and makes no upstream call;
* an allowed role: an answer that is neither a refusal nor a crash (2xx/3xx, or a 4xx for bad input).

POSTs carry data that would do something if accepted (a valid password for re-authentication, a comment),
so "nothing changed" means something. Refused requests are sent before allowed ones, while every object is
still in the state that would let the action through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pools import crypto, permissions
from pools.models import ChangeRequest, Connection, NotificationRoute
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.connections import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from tests.fixtures.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

# --- Roles ---

ANONYMOUS = "anonymous"
NOBODY = "nobody"  # signed in, no role
VIEWER = permissions.VIEWER
OPERATOR = permissions.OPERATOR
APPROVER = permissions.APPROVER
AUDITOR = permissions.AUDITOR
ADMINISTRATOR = permissions.ADMINISTRATOR
# The Operator who made the change request the routes point at; OPERATOR is another operator.
REQUESTER = "requester"

ROLES = (ANONYMOUS, NOBODY, VIEWER, OPERATOR, REQUESTER, APPROVER, AUDITOR, ADMINISTRATOR)
NONE: frozenset[str] = frozenset()
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
EVERYONE = frozenset(ROLES)


def holding(permission: str) -> frozenset[str]:
    """The roles whose permissions include ``permission`` (the requester is an Operator)."""
    roles = {role for role, perms in permissions.ROLE_PERMISSIONS.items() if permission in perms}
    return frozenset(roles | ({REQUESTER} if OPERATOR in roles else set()))


VIEWING = holding(permissions.VIEW_DASHBOARD)
REQUESTING = holding(permissions.REQUEST_CHANGE)
APPROVING = holding(permissions.APPROVE_CHANGE)
MANAGING_CONNECTIONS = holding(permissions.MANAGE_CONNECTIONS)
AUDITING = holding(permissions.VIEW_AUDIT)
MANAGING_TOKENS = holding(permissions.MANAGE_API_TOKENS)


# --- The objects the routes point at ---


@dataclasses.dataclass
class World:
    sandbox: Any
    connection: Connection
    pool_name: str
    users: dict[str, Any]
    change_request: ChangeRequest


@pytest.fixture
def world(seeded_sandbox, sandbox_connection, django_user_model) -> World:
    users = {
        NOBODY: make_user(django_user_model, "matrix-nobody", None),
        REQUESTER: make_user(django_user_model, "matrix-requester", permissions.OPERATOR),
        **{
            role: make_user(django_user_model, f"matrix-{role.lower()}", role)
            for role in permissions.ROLE_PERMISSIONS
        },
    }
    created = seeded_sandbox.create_pool(sandbox_account.PROJECT_ID, sandbox_account.pool_body("matrix-pool"))
    seeded_sandbox.settle()
    pool_name = created["metadata"]["name"]
    # A pending request to delete that pool: approving, rejecting or cancelling it would show.
    change_request = change_requests.change_request_create(
        user=users[REQUESTER],
        connection=sandbox_connection,
        kind="delete_pool",
        target=pool_name,
        body=None,
        reason="Permission matrix",
        idempotency_key="matrix",
    )
    seeded_sandbox.clear_calls()
    return World(
        sandbox=seeded_sandbox,
        connection=sandbox_connection,
        pool_name=pool_name,
        users=users,
        change_request=change_request,
    )


# --- The declared table ---

Kwargs = Callable[[World], dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Route:
    get: frozenset[str]  # roles allowed to GET
    post: frozenset[str]  # roles allowed to POST
    kwargs: Kwargs | None = None
    post_data: Callable[[World], dict[str, Any]] | None = None
    # Refusals a signed-in role may get: 403, or 404 where existence must not leak.
    refused: frozenset[int] = frozenset({403})
    # The method is not offered at all: a 405 is a refusal too.
    get_offered: bool = True
    post_offered: bool = True
    # The view only reads: even an allowed POST must change nothing.
    read_only: bool = False
    admin: bool = False  # refusals may also be redirects to the admin's log-in


def read_only(roles: frozenset[str], **options) -> Route:
    """A page that only reads: the same roles may GET and POST (a POST renders it again), nothing changes."""
    return Route(get=roles, post=roles, read_only=True, **options)


def page(roles: frozenset[str], **options) -> Route:
    """A page that only answers GET: a POST is refused with 405 for everyone."""
    return Route(get=roles, post=NONE, post_offered=False, **options)


def the_connection(world: World) -> dict[str, Any]:
    return {"pk": world.connection.pk}


def new_connection(world: World) -> dict[str, str]:
    return {
        "name": "created-by-matrix",
        "region": sandbox_account.REGION,
        "project_id": sandbox_account.PROJECT_ID,
        "endpoint": world.sandbox.url,
        "workspace_id": "0",
        "access_key": FAKE_ACCESS_KEY,
        "secret_key": FAKE_SECRET_KEY,
    }


def renamed_connection(world: World) -> dict[str, str]:
    return {**new_connection(world), "name": "renamed-by-matrix", "access_key": "", "secret_key": ""}


def the_route(world: World) -> dict[str, Any]:
    route = NotificationRoute.objects.get_or_create(
        connection=world.connection,
        name="matrix-route",
        defaults={
            "channel": "email",
            "target_token": crypto.encrypt("ops@example.test"),
            "events": ["pool_failed"],
        },
    )[0]
    return {"pk": world.connection.pk, "route_id": route.pk}


def new_route(world: World) -> dict[str, Any]:
    return {
        "name": "created-by-matrix",
        "channel": "email",
        "target": "team@example.test",
        "events": ["pool_failed"],
    }


def renamed_route(world: World) -> dict[str, Any]:
    return {**new_route(world), "name": "renamed-by-matrix", "target": ""}


def switch_to_connection(world: World) -> dict[str, Any]:
    return {"connection": world.connection.pk, "next": "/"}


def the_card(world: World) -> dict[str, Any]:
    return {"connection_id": world.connection.pk}


def the_pool(world: World) -> dict[str, Any]:
    return {"connection_id": world.connection.pk, "pool_name": world.pool_name}


def deletion(world: World) -> dict[str, str]:
    return {"confirmation": world.pool_name, "reason": "permission matrix", "submission_key": "f" * 32}


def node_deletion(world: World) -> dict[str, Any]:
    nodes = [
        node["metadata"]["name"] for node in world.sandbox.nodes(sandbox_account.PROJECT_ID, world.pool_name)
    ]
    return {"nodes": nodes[:1], "confirm": "1", "reason": "permission matrix", "submission_key": "e" * 32}


def scaling(world: World) -> dict[str, str]:
    return {"count_0": "3", "reason": "permission matrix", "submission_key": "d" * 32}


def editing(world: World) -> dict[str, str]:
    return {
        "description": "edited by the matrix",
        "scope": ["Train"],
        "reason": "permission matrix",
        "submission_key": "c" * 32,
    }


def tagging(world: World) -> dict[str, str]:
    return {"key_0": "matrix", "value_0": "yes", "reason": "permission matrix", "submission_key": "b" * 32}


def a_node(world: World) -> dict[str, Any]:
    first = world.sandbox.nodes(sandbox_account.PROJECT_ID, world.pool_name)[0]["metadata"]["name"]
    return {**the_pool(world), "node_name": first}


def node_action(key: str) -> Callable[[World], dict[str, Any]]:
    """A confirmed node action on the pool's first node (each action its own submission key)."""

    def data(world: World) -> dict[str, Any]:
        return {**node_deletion(world), "submission_key": key * 32}

    return data


def a_wizard_step(world: World) -> dict[str, str]:
    # No wizard of that id is in the session: an allowed role is sent to start a fresh one.
    return {"wizard_id": "0" * 32, "step": "basics"}


def wizard_basics(world: World) -> dict[str, str]:
    return {
        "action": "next",
        "connection": str(world.connection.pk),
        "display_name": "matrix-wizard-pool",
        "workspace_id": "0",
    }


def a_scheduled_event(world: World) -> dict[str, Any]:
    """The demo estate's hardware repair waiting for acceptance on one of llm-pretrain's nodes (or, once
    that pool is gone, the first scheduled event listed)."""
    events = world.sandbox.scheduled_events(sandbox_account.PROJECT_ID)
    event = next((event for event in events if event["state"] == "inquiring"), events[0])
    return {"connection_id": world.connection.pk, "pool_name": event["poolName"], "event_id": event["id"]}


def acceptance(world: World) -> dict[str, str]:
    return {
        "redeploy": "HARD",
        "confirm_wipe": "on",
        "reason": "permission matrix",
        "submission_key": "d" * 32,
    }


def csv_export(world: World) -> dict[str, str]:
    return {"fmt": "csv"}


def the_request(world: World) -> dict[str, Any]:
    return {"pk": world.change_request.pk}


def approval(world: World) -> dict[str, str]:
    return {"password": PASSWORD, "comment": "approved by the permission matrix"}


def rejection(world: World) -> dict[str, str]:
    return {"comment": "rejected by the permission matrix"}


def comment(world: World) -> dict[str, str]:
    return {"text": "a comment from the permission matrix"}


def the_token(world: World) -> dict[str, Any]:
    """A token of the requester's: its owner and the administrators may revoke it; to others it does not exist."""
    from pools.models import ApiToken
    from pools.services import api_tokens

    owner = world.users[REQUESTER]
    token = ApiToken.objects.filter(user=owner, name="matrix").first()
    if token is None:
        token, _ = api_tokens.api_token_create(user=owner, name="matrix", scopes=[], expires_in_days=None)
    return {"pk": token.pk}


def new_token(world: World) -> dict[str, str]:
    return {"name": "made by the matrix", "expires_in_days": "7", "password": PASSWORD}


# Who sees a change request: everyone who sees all of them, and its requester. Another operator gets a 404
# (its existence must not leak); a role without any approvals permission gets a 403.
SEES_REQUEST = APPROVING | AUDITING | {REQUESTER}
REQUEST_REFUSED = frozenset({403, 404})


def decision(allowed: frozenset[str], data=None) -> Route:
    """A POST-only action on the change request."""
    return Route(
        get=NONE,
        post=allowed,
        kwargs=the_request,
        post_data=data,
        refused=REQUEST_REFUSED,
        get_offered=False,
    )


ROUTES: dict[str, Route] = {
    # --- accounts (Django's auth views, our throttled log-in) ---
    "login": Route(get=EVERYONE, post=EVERYONE),
    "logout": Route(get=NONE, post=SIGNED_IN, get_offered=False),
    "password_change": Route(get=SIGNED_IN, post=SIGNED_IN),
    "password_change_done": page(SIGNED_IN),
    # --- single sign-on (tests/sso/ runs them against a real IdP); with OIDC_ENABLED off, as here, each
    # sends the visitor to the log-in page ---
    "sso_login": page(EVERYONE),
    "sso_callback": page(EVERYONE),
    "sso_reauthenticate": page(SIGNED_IN),
    "sso_no_role": page(SIGNED_IN),
    # --- overview ---
    "pools:overview": page(VIEWING),
    # --- connections ---
    "pools:connection_list": page(MANAGING_CONNECTIONS),
    "pools:connection_create": Route(
        get=MANAGING_CONNECTIONS, post=MANAGING_CONNECTIONS, post_data=new_connection
    ),
    "pools:connection_edit": Route(
        get=MANAGING_CONNECTIONS,
        post=MANAGING_CONNECTIONS,
        kwargs=the_connection,
        post_data=renamed_connection,
    ),
    "pools:connection_delete": Route(
        get=MANAGING_CONNECTIONS, post=MANAGING_CONNECTIONS, kwargs=the_connection
    ),
    "pools:connection_test": Route(
        get=NONE, post=MANAGING_CONNECTIONS, kwargs=the_connection, get_offered=False
    ),
    "pools:connection_switch": Route(
        get=NONE, post=VIEWING, post_data=switch_to_connection, get_offered=False
    ),
    # --- a connection's notification routes ---
    "pools:notification_route_list": page(MANAGING_CONNECTIONS, kwargs=the_connection),
    "pools:notification_route_create": Route(
        get=MANAGING_CONNECTIONS, post=MANAGING_CONNECTIONS, kwargs=the_connection, post_data=new_route
    ),
    "pools:notification_route_edit": Route(
        get=MANAGING_CONNECTIONS, post=MANAGING_CONNECTIONS, kwargs=the_route, post_data=renamed_route
    ),
    "pools:notification_route_delete": Route(
        get=MANAGING_CONNECTIONS, post=MANAGING_CONNECTIONS, kwargs=the_route
    ),
    "pools:notification_route_test": Route(
        get=NONE, post=MANAGING_CONNECTIONS, kwargs=the_route, get_offered=False
    ),
    # --- browse ---
    "pools:overview_card": page(VIEWING, kwargs=the_card),
    "pools:pool_list": page(VIEWING),
    "pools:pool_detail": page(VIEWING, kwargs=the_pool),
    "pools:pool_nodes": page(VIEWING, kwargs=the_pool),
    "pools:pool_monitoring": page(VIEWING, kwargs=the_pool),
    "pools:pool_workloads": page(VIEWING, kwargs=the_pool),
    "pools:pool_workload_counts": page(VIEWING, kwargs=the_pool),
    "pools:node_detail": page(VIEWING, kwargs=a_node),
    "pools:pool_monitoring_csv": page(VIEWING, kwargs=the_pool),
    "pools:pool_events": page(VIEWING, kwargs=the_pool),
    "pools:events_inbox": page(VIEWING),
    # --- requesting changes: the create-pool wizard, deleting a pool or nodes ---
    "pools:pool_wizard_start": Route(get=REQUESTING, post=REQUESTING),
    "pools:pool_wizard_step": Route(
        get=REQUESTING, post=REQUESTING, kwargs=a_wizard_step, post_data=wizard_basics
    ),
    "pools:delete_pool_request": Route(get=REQUESTING, post=REQUESTING, kwargs=the_pool, post_data=deletion),
    "pools:delete_nodes_request": Route(
        get=REQUESTING, post=REQUESTING, kwargs=the_pool, post_data=node_deletion
    ),
    "pools:accept_event_request": Route(
        get=REQUESTING, post=REQUESTING, kwargs=a_scheduled_event, post_data=acceptance
    ),
    # --- requesting changes to a pool: scale, edit, tags ---
    "pools:scale_pool_request": Route(get=REQUESTING, post=REQUESTING, kwargs=the_pool, post_data=scaling),
    "pools:edit_pool_request": Route(get=REQUESTING, post=REQUESTING, kwargs=the_pool, post_data=editing),
    "pools:pool_tags_request": Route(get=REQUESTING, post=REQUESTING, kwargs=the_pool, post_data=tagging),
    **{
        f"pools:{action}_nodes_request": Route(
            get=REQUESTING, post=REQUESTING, kwargs=the_pool, post_data=node_action(key)
        )
        for action, key in (("reboot", "1"), ("drain", "2"), ("lock", "3"), ("unlock", "4"), ("reset", "5"))
    },
    # --- approvals ---
    "pools:approval_queue": page(APPROVING),
    "pools:approval_history": page(APPROVING | AUDITING),
    "pools:my_requests": page(REQUESTING),
    "pools:change_request_detail": page(SEES_REQUEST, kwargs=the_request, refused=REQUEST_REFUSED),
    "pools:change_request_revalidation": page(SEES_REQUEST, kwargs=the_request, refused=REQUEST_REFUSED),
    "pools:change_request_blast_radius": page(SEES_REQUEST, kwargs=the_request, refused=REQUEST_REFUSED),
    "pools:change_request_approve": decision(APPROVING, approval),
    "pools:change_request_reject": decision(APPROVING, rejection),
    "pools:change_request_retry": decision(APPROVING, approval),
    "pools:change_request_execute": decision(APPROVING, approval),
    # Only its requester may withdraw a request.
    "pools:change_request_cancel": decision(frozenset({REQUESTER})),
    "pools:change_request_comment": decision(APPROVING | {REQUESTER}, comment),
    # Looking at a change in progress: its requester and the approvers.
    "pools:change_request_check_progress": decision(APPROVING | {REQUESTER}),
    # --- audit ---
    "pools:audit_log": page(AUDITING),
    "pools:audit_chain": page(AUDITING),
    "pools:audit_export": page(AUDITING, kwargs=csv_export),
    # --- API tokens: everyone signed in has their own; administrators see and revoke anyone's ---
    "pools:api_token_list": Route(get=SIGNED_IN, post=SIGNED_IN, post_data=new_token),
    "pools:api_token_admin": page(MANAGING_TOKENS),
    "pools:api_token_revoke": Route(
        get=NONE,
        post=MANAGING_TOKENS | {REQUESTER},
        kwargs=the_token,
        refused=frozenset({404}),
        get_offered=False,
    ),
    # --- Django admin basics: staff only, and none of the roles is staff ---
    "admin:index": Route(get=NONE, post=NONE, admin=True),
    "admin:auth_user_changelist": Route(get=NONE, post=NONE, admin=True),
    "admin:pools_connection_changelist": Route(get=NONE, post=NONE, admin=True),
    "admin:pools_connection_add": Route(get=NONE, post=NONE, admin=True, post_data=new_connection),
    "admin:admin_logentry_changelist": Route(get=NONE, post=NONE, admin=True),
}

# Routes that must be declared: everything we serve except the admin (whose basics are declared above).
REQUIRED = ("pools:",)
REQUIRED_PATHS = ("accounts/",)


# --- The URL configuration ---


@dataclasses.dataclass(frozen=True)
class Served:
    name: str | None
    path: str


def served_routes() -> list[Served]:
    """Every route in the URL configuration, with its namespaced name and its full path pattern."""

    def walk(patterns, prefix: str, namespace: str | None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), joined)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                yield Served(name, prefix + str(entry.pattern))

    seen: set[Served] = set()
    unique = []
    for route in walk(get_resolver().url_patterns, "", None):
        if route not in seen:
            seen.add(route)
            unique.append(route)
    return unique


def must_be_declared(route: Served) -> bool:
    return (route.name or "").startswith(REQUIRED) or route.path.startswith(REQUIRED_PATHS)


def test_every_route_is_declared():
    served = [route for route in served_routes() if must_be_declared(route)]
    unnamed = [route.path for route in served if not route.name]
    missing = sorted({route.name for route in served if route.name and route.name not in ROUTES})
    assert not unnamed, f"routes without a name cannot be checked: {unnamed}"
    assert not missing, f"routes missing from the permission matrix (declare who may GET and POST): {missing}"


def test_every_declared_route_is_served():
    names = {route.name for route in served_routes()}
    assert not sorted(set(ROUTES) - names), "declared routes that no longer exist"


def test_routes_with_arguments_say_how_to_fill_them():
    needing = {
        route.name
        for route in served_routes()
        if route.name in ROUTES and "<" in route.path and ROUTES[route.name].kwargs is None
    }
    assert not needing


# --- The checks ---

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ALLOWED_ERRORS = {400, 409, 422}  # bad input, answered with field errors or a banner


def snapshot(world: World) -> dict[str, Any]:
    """Every row of every table (sessions aside: the session middleware may refresh the visitor's own),
    every upstream call and the sandbox's pools."""
    rows = {}
    for model in apps.get_models():
        if not model._meta.managed or model is Session:
            continue
        rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return {
        "rows": rows,
        "upstream calls": world.sandbox.calls(),
        "pools": world.sandbox.pools(sandbox_account.PROJECT_ID),
    }


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changed = [f"table {label}" for label in before["rows"] if before["rows"][label] != after["rows"][label]]
    if before["upstream calls"] != after["upstream calls"]:
        changed.append(f"{after['upstream calls'] - before['upstream calls']} upstream call(s)")
    if before["pools"] != after["pools"]:
        changed.append("the sandbox's pools")
    return changed


def client_as(world: World, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def check(world: World, name: str, route: Route, role: str, method: str) -> str | None:
    """Send one request; return what was wrong with the answer, or None."""
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    allowed = role in (route.get if method == "GET" else route.post)
    offered = route.get_offered if method == "GET" else route.post_offered
    client = client_as(world, role)
    before = snapshot(world)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, route.post_data(world) if route.post_data else {})
    status = response.status_code
    location = response.get("Location", "")
    what = f"{method} {url} as {role}: {status} {location}".rstrip()

    if status >= 500:
        return f"{what}: a crash"
    # A refusal sends the visitor to log in and back (?next=); log-out's own redirect to the page is no refusal.
    logins = (LOGIN, ADMIN_LOGIN) if route.admin else (LOGIN,)
    to_login = status == 302 and any(location.startswith(f"{login}?next=") for login in logins)
    if allowed:
        if to_login or status in (401, 403, 405) or (status >= 400 and status not in ALLOWED_ERRORS):
            return f"{what}: refused, but the table allows it"
        if route.read_only and method == "POST":
            # Reading upstream is what such a page does; writing anything is not.
            changed = [c for c in differences(before, snapshot(world)) if not c.endswith("upstream call(s)")]
            if changed:
                return f"{what}: a read-only page changed {', '.join(changed)}"
        return None
    if status == 405 and not offered:
        pass  # the method is refused to everyone
    elif role == ANONYMOUS or route.admin:
        if not to_login:
            return f"{what}: expected a redirect to log in"
    elif status not in route.refused:
        return f"{what}: expected {sorted(route.refused)}"
    if method == "POST" and (changed := differences(before, snapshot(world))):
        return f"{what}: a refused POST changed {', '.join(changed)}"
    return None


def checks_in_order(route: Route) -> list[tuple[str, str]]:
    """Refused requests first, while everything is still in the state that would let an action through."""
    pairs = [(method, role) for method in ("GET", "POST") for role in ROLES]

    def allowed(pair):
        method, role = pair
        return role in (route.get if method == "GET" else route.post)

    return sorted(pairs, key=allowed)  # stable: refusals keep their order, then the allowed ones


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_declared(world, name):
    route = ROUTES[name]
    problems = [
        problem
        for method, role in checks_in_order(route)
        if (problem := check(world, name, route, role, method)) is not None
    ]
    assert not problems, "\n".join(problems)


def test_a_superuser_reaches_the_admin(client):
    superuser = get_user_model().objects.create_superuser("matrix-super", "super@example.test", PASSWORD)
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200


# --- The matrix can fail ---


def test_the_matrix_catches_a_page_more_open_than_declared(world):
    declared_admin_only = dataclasses.replace(ROUTES["pools:overview"], get=frozenset({ADMINISTRATOR}))
    problem = check(world, "pools:overview", declared_admin_only, VIEWER, "GET")
    assert problem == "GET / as Viewer: 200: expected [403]"


def test_the_matrix_catches_a_refusal_the_table_does_not_expect(world):
    problem = check(world, "pools:overview", ROUTES["pools:overview"], NOBODY, "GET")
    assert problem is None
    declared_open = dataclasses.replace(ROUTES["pools:overview"], get=SIGNED_IN)
    assert check(world, "pools:overview", declared_open, NOBODY, "GET").endswith(
        "refused, but the table allows it"
    )


def test_the_matrix_catches_a_post_that_changes_something(world):
    user = world.users[VIEWER]
    signing_in = read_only(EVERYONE, post_data=lambda w: {"username": user.username, "password": PASSWORD})
    problem = check(world, "login", signing_in, ANONYMOUS, "POST")
    assert problem is not None and "changed table auth.User" in problem  # last_login
