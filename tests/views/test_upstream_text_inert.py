"""Every string ModelArts sends is inert on every page: shown as text, never as markup.

A hostile or compromised endpoint (or a proxy in front of it) can put markup in any string it returns: a
pool's display name, a label, a node name, a flavor, an error message, a request id. The Content-Security-Policy
stops inline scripts, but htmx would act on injected ``hx-post``/``hx-vals`` attributes with the viewer's CSRF
token, so no such string may reach a page unescaped.

The upstream here is a local server answering every operation the client knows with the demo estate's answers
(read from the sandbox once per test), in which every string value and a key of every string map carry
``MARK``: ``<b data-x=TOKEN>"'&``. Three ways it answers:

* ``every string``: every string value is marked, the pool id, node names, phases and timestamps too;
* ``plain ids``: ids, phases, timestamps, quantities and statistic names stay as they were, so pages work
  fully (charts, usage bars) and change requests can be filed, approved and executed against it;
* ``errors``: every call fails with a marked ``error_code``, ``error_msg`` and request id.

Every route of the URL configuration (the permission matrix's table, so a new view is covered once declared)
is then sent as each role that may use it: POSTs first (they store upstream text: filed requests, execution
results, messages), then GETs as a page and as an htmx partial, following redirects. In every HTML answer each
occurrence of ``TOKEN`` must be followed by the rest of the marker escaped (for HTML, or percent-encoded in a
URL), and JSON data blocks must hold no raw ``<``; no header may carry the marker raw. Downloads (CSV, JSON,
plain text) are not HTML and are sent with ``X-Content-Type-Options: nosniff``, so no browser renders them.
"""

from __future__ import annotations

import ast
import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from werkzeug import Request, Response

from pools import permissions
from pools.core.errors import ApplicationError
from pools.forms.pool_requests import DeletePoolForm
from pools.modelarts.parsing import parse_quantity, parse_time
from pools.modelarts.types import Pool
from pools.models import ChangeRequest
from pools.services import change_requests
from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.connections import build_connection
from tests.fixtures.users import PASSWORD, make_user
from tests.views.test_permission_matrix import REQUESTER, ROLES, ROUTES, World

pytestmark = pytest.mark.django_db

TOKEN = "mrk7q"
MARK = f"<b data-x={TOKEN}>\"'&"
MARKED_KEY = f"key{MARK}"

EVERY_STRING = "every string"
PLAIN_IDS = "plain ids"
ERRORS = "errors"
VARIANTS = (EVERY_STRING, PLAIN_IDS, ERRORS)

# --- The check -------------------------------------------------------------------------------------------

JSON_DATA = re.compile(r"<script\b[^>]*type=\"application/json\"[^>]*>(.*?)</script>", re.S | re.I)
# What may follow TOKEN in HTML: the rest of the marker escaped for HTML (also after JSON's backslash, in
# pretty-printed JSON), or percent-encoded in a URL (a path keeps ' and &, which the page then escapes).
SAFE_TAIL = re.compile(r"(?:&gt;|%3E)(?:\\?&quot;|%22)(?:&#x27;|&#39;|%27)(?:&amp;|%26)")
# In a header: nothing that would start a tag or end a quoted value.
UNSAFE_IN_HEADER = re.compile(rf"<b data-x|{TOKEN}[>\"]")
HTML = "text/html"


def excerpt(text: str, at: int) -> str:
    return text[max(0, at - 80) : at + 60].replace("\n", " ")


def unescaped_markup(html: str) -> list[str]:
    """Where a marked string reached ``html`` as markup rather than as text."""
    problems = [
        f"raw '<' in a JSON data block: {excerpt(block, block.index('<'))}"
        for block in JSON_DATA.findall(html)
        if "<" in block
    ]
    rest = JSON_DATA.sub("", html)
    problems += [
        f"unescaped: …{excerpt(rest, found.start())}…"
        for found in re.finditer(TOKEN, rest)
        if not SAFE_TAIL.match(rest, found.end())
    ]
    return problems


def problems_in(response, what: str) -> list[str]:
    """Unescaped markup in the response's headers and, for HTML, its body."""
    problems = [
        f"{what}: header {name}: {value[:200]}"
        for name, value in response.items()
        if UNSAFE_IN_HEADER.search(value)
    ]
    content_type = response.get("Content-Type", "")
    if response.streaming or not content_type.startswith(HTML):
        if content_type and response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{what}: {content_type} without X-Content-Type-Options: nosniff")
        return problems
    return problems + [f"{what}: {problem}" for problem in unescaped_markup(response.content.decode())]


# --- The marked answers ----------------------------------------------------------------------------------


def keeps_plain_ids(path: tuple[str, ...], value: str) -> bool:
    """What the ``plain ids`` upstream leaves unmarked: ids, phases, times, quantities, statistic names."""
    return (
        path[-2:] == ("metadata", "name")
        or path[-1:] in (("phase",), ("statistic",))
        or parse_time(value) is not None
        or parse_quantity(value) is not None
    )


def marked(value: Any, keep: Callable[[tuple[str, ...], str], bool], path: tuple[str, ...] = ()) -> Any:
    """``value`` with MARK after every string ``keep`` does not keep, and a marked entry in every string map."""
    if isinstance(value, str):
        return value if keep(path, value) else value + MARK
    if isinstance(value, list):
        return [marked(item, keep, path) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: marked(item, keep, (*path, key)) for key, item in value.items()}
    if value and all(isinstance(item, str) for item in value.values()):
        result[MARKED_KEY] = f"value{MARK}"  # labels, annotations, resources: the keys are upstream text too
    return result


def demo_answers(sandbox) -> dict[str, Any]:
    """The demo estate's answers, read from the sandbox over HTTP, for one pool and the project."""
    base = f"{sandbox.url}/v2/{sandbox_account.PROJECT_ID}"

    def get(path: str) -> Any:
        response = sandbox_account.signed_request("GET", base + path)
        assert response.status_code == 200, response.text
        return response.json()

    pools = get("/pools?workspaceId=0")
    pool = next(item for item in pools["items"] if item["status"].get("phase") == "Running")
    # Fields of a pool the demo estate leaves out, which the detail page shows when present.
    pool["status"].update(
        message="Scaling finished", parent="parent-pool", clusters={"name": "c1", "version": "1"}
    )
    pool["spec"].update(
        jobFlavors=["modelarts.pool.visual.xlarge"], controlMode=1, containernetwork={"mode": "overlay"}
    )
    pool["spec"].setdefault("driver", {})["gpuVersion"] = "470.57"
    name = pool["metadata"]["name"]
    first_nodes = get(f"/pools/{name}/nodes?limit=2")
    more_nodes = get(f"/pools/{name}/nodes?limit=2&continue={first_nodes['metadata']['continue']}")
    more_nodes["metadata"].pop("continue", None)
    more_nodes["metadata"].pop("remainingItemCount", None)
    events_base = f"{sandbox.url}/v1/{sandbox_account.PROJECT_ID}"
    events = sandbox_account.signed_request("GET", f"{events_base}/events?resource=pools&name={name}").json()
    scheduled = sandbox_account.signed_request("GET", f"{events_base}/scheduled-events").json()
    return {
        "events": events,
        "scheduled": scheduled,
        "pools": pools,
        "pool": pool,
        "nodes": first_nodes,
        "more nodes": more_nodes,
        "runtime": get("/metrics/runtime/pools"),
        "statistics": get("/statistics/pools?workspaceId=0"),
        "monitor": get(f"/pools/{name}/monitor?time_range=-1.-1.60&statistics=average&period=60"),
    }


class HostileUpstream:
    """Answers every ModelArts operation with marked text (or a marked error, for ``errors``)."""

    PREFIX = re.compile(r"^/v[12]/[^/]+")

    def __init__(self, httpserver, answers: dict[str, Any], variant: str) -> None:
        keep = keeps_plain_ids if variant == PLAIN_IDS else (lambda path, value: False)
        self.answers = marked(answers, keep)
        self.failing = variant == ERRORS
        self.url = httpserver.url_for("").rstrip("/")
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def pool_name(self) -> str:
        return self.answers["pool"]["metadata"]["name"]

    @property
    def pool(self) -> Pool:
        return Pool.parse(self.answers["pool"])

    def scheduled_events(self, project_id: str) -> list[dict[str, Any]]:
        """As the sandbox's ``scheduled_events``, for the permission matrix's routes."""
        return self.answers["scheduled"]["events"]

    def nodes(self, project_id: str, pool_name: str) -> list[dict[str, Any]]:
        """As the sandbox's ``nodes``, for the permission matrix's POST data."""
        return self.answers["nodes"]["items"] + self.answers["more nodes"]["items"]

    def json(self, body: Any, status: int = 200) -> Response:
        return Response(
            json.dumps(body),
            status=status,
            content_type="application/json",
            headers={"X-Request-Id": f"rid{MARK}"},
        )

    def error(self, status: int) -> Response:
        return self.json(
            {
                "error_code": f"ModelArts.4000{MARK}",
                "error_msg": f"Refused{MARK}",
                "request_id": f"rid{MARK}",
            },
            status,
        )

    def handle(self, request: Request) -> Response:
        if self.failing:
            return self.error(400)
        path = self.PREFIX.sub("", unquote(request.path))
        parts = path.strip("/").split("/")
        method = request.method
        if path == "/metrics/runtime/pools":
            return self.json(self.answers["runtime"])
        if path == "/statistics/pools":
            return self.json(self.answers["statistics"])
        if path == "/events":
            return self.json(self.answers["events"])
        if path == "/scheduled-events":
            return self.json(self.answers["scheduled"])
        if parts[0] == "scheduled-events" and parts[-1] == "accept":
            return self.json(self.answers["scheduled"]["events"][0])
        if parts[0] != "pools":
            return self.error(404)
        if len(parts) == 1:
            return self.json(self.answers["pools"] if method == "GET" else self.answers["pool"])
        if parts[1] != self.pool_name:
            return self.error(404)
        tail = parts[2:]
        if not tail:
            return self.json(self.answers["pool"])  # ShowPool, DeletePool
        if tail == ["nodes"]:
            return self.json(self.answers["more nodes" if request.args.get("continue") else "nodes"])
        if tail == ["nodes", "batch-delete"]:
            return self.json({})
        if tail == ["monitor"]:
            return self.json(self.answers["monitor"])
        return self.error(404)


# --- The estate and the walk -----------------------------------------------------------------------------


@pytest.fixture
def own_cache(settings):
    """A cache of this test's own, so no answer of another upstream is served from it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"inert-{uuid.uuid4().hex}",
        }
    }


def filed_request(upstream: HostileUpstream, connection, requester) -> ChangeRequest:
    """A pending request to delete the pool, filed through the service where the upstream lets it be.

    The service refuses a pool id with markup in it (``every string``) and cannot read the live state from
    an upstream that fails every call (``errors``); the request is then stored as the service would have
    stored it, so the approval pages still show the upstream's text.
    """
    try:
        return change_requests.change_request_create(
            user=requester,
            connection=connection,
            kind="delete_pool",
            target=upstream.pool_name,
            body=None,
            reason="inert upstream text",
            idempotency_key="inert",
        )
    except ApplicationError:
        pool = upstream.pool
        return ChangeRequest.objects.create(
            connection=connection,
            kind="delete_pool",
            target=pool.name,
            reason="inert upstream text",
            requested_by=requester,
            idempotency_key="inert",
            snapshot={"exists": True, "display_name": pool.display_name, "phase": pool.phase},
            expires_at=timezone.now() + timedelta(hours=django_settings.CHANGE_REQUEST_EXPIRY_HOURS),
        )


@pytest.fixture(params=VARIANTS)
def hostile_world(request, own_cache, seeded_sandbox, httpserver, django_user_model) -> World:
    upstream = HostileUpstream(httpserver, demo_answers(seeded_sandbox), request.param)
    connection = build_connection(
        "hostile",
        access_key=sandbox_account.AK,
        secret_key=sandbox_account.SK,
        region=sandbox_account.REGION,
        project_id=sandbox_account.PROJECT_ID,
        endpoint=upstream.url,
    )
    users = {
        REQUESTER: make_user(django_user_model, "inert-requester", permissions.OPERATOR),
        **{
            role: make_user(django_user_model, f"inert-{role.lower()}", role)
            for role in permissions.ROLE_PERMISSIONS
        },
    }
    change_request = filed_request(upstream, connection, users[REQUESTER])
    return World(
        sandbox=upstream,
        connection=connection,
        pool_name=upstream.pool_name,
        users=users,
        change_request=change_request,
    )


class Visitor:
    """Sends requests as one role with one session (messages set by a POST show on the next page)."""

    def __init__(self, user) -> None:
        self.client = Client()
        self.client.force_login(user)
        self.problems: list[str] = []
        self.marked_pages: set[str] = set()  # the URLs whose answer held upstream text

    def send(self, method: str, url: str, data: dict | None = None, *, htmx: bool = False) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        send = self.client.post if method == "POST" else self.client.get
        response = send(url, data or {}, headers=headers)
        what = f"{method} {url}{' (htmx)' if htmx else ''} → {response.status_code}"
        assert response.status_code != 500, what  # 502: the page saying an upstream call failed
        self.check(response, url, what)
        location = response.get("Location", "")
        if response.status_code in (301, 302, 303) and location.startswith("/"):
            self.check(self.client.get(location), location, f"{what} → GET {location}")

    def check(self, response, url: str, what: str) -> None:
        self.problems += problems_in(response, what)
        if not response.streaming and TOKEN.encode() in response.content:
            self.marked_pages.add(url)


def route_url(world: World, name: str) -> str:
    route = ROUTES[name]
    return reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)


# Sent last: deleting the connection (refused while requests use it, or done) would end the walk early.
LAST = "pools:connection_delete"
# Logging out would leave the rest of the walk to an anonymous visitor.
SKIPPED = {"logout"}
# Pages that must show the upstream's text (its pools, nodes, series, error): the walk really reached them.
MUST_SHOW = (
    "pools:overview_card",
    "pools:pool_list",
    "pools:pool_detail",
    "pools:pool_nodes",
    "pools:pool_monitoring",
    "pools:delete_pool_request",
    "pools:change_request_detail",
    "pools:pool_events",
    "pools:events_inbox",
    "pools:accept_event_request",
)


def walk(world: World) -> tuple[list[str], set[str]]:
    """Every declared route as every role allowed to use it: POSTs, then GETs (page and htmx), then the
    connection's deletion; the admin's pages as a superuser. Returns the problems and the URLs that showed
    upstream text."""
    signed_in = [role for role in ROLES if role in world.users]
    visitors = {role: Visitor(world.users[role]) for role in signed_in}
    names = sorted(name for name in ROUTES if not ROUTES[name].admin and name not in SKIPPED)

    def post_as_everyone_allowed(name: str) -> None:
        route = ROUTES[name]
        for role in (role for role in signed_in if role in route.post):
            data = route.post_data(world) if route.post_data else {}
            for htmx in (True, False):
                visitors[role].send("POST", route_url(world, name), data, htmx=htmx)

    for name in names:
        if name != LAST:
            post_as_everyone_allowed(name)
    nodes_url = reverse("pools:pool_nodes", args=[world.connection.pk, world.pool_name])
    token = world.sandbox.answers["nodes"]["metadata"]["continue"]
    for role in signed_in:
        for name in (name for name in names if role in ROUTES[name].get):
            for htmx in (False, True):
                visitors[role].send("GET", route_url(world, name), htmx=htmx)
        if role in ROUTES["pools:pool_nodes"].get:
            visitors[role].send("GET", nodes_url, {"after": token}, htmx=True)  # "Load more"
    superuser = get_user_model().objects.create_superuser("inert-root", "root@example.test", PASSWORD)
    admin = Visitor(superuser)
    for name in sorted(name for name in ROUTES if ROUTES[name].admin):
        admin.send("GET", route_url(world, name))
    # The admin's pages of the connection (its last test result) and of audit entries holding upstream text.
    admin.send("GET", reverse("admin:pools_connection_change", args=[world.connection.pk]))
    for pk in LogEntry.objects.filter(change_message__contains=TOKEN).values_list("pk", flat=True)[:5]:
        admin.send("GET", reverse("admin:admin_logentry_change", args=[pk]))
    post_as_everyone_allowed(LAST)
    everyone = [*visitors.values(), admin]
    return (
        [problem for visitor in everyone for problem in visitor.problems],
        {url for visitor in everyone for url in visitor.marked_pages},
    )


# --- The tests -------------------------------------------------------------------------------------------


def test_every_page_shows_upstream_text_as_text(hostile_world):
    problems, marked_pages = walk(hostile_world)

    assert not problems, f"{len(problems)} unescaped:\n" + "\n".join(dict.fromkeys(problems))
    unreached = [name for name in MUST_SHOW if route_url(hostile_world, name) not in marked_pages]
    assert not unreached, f"pages that never showed the upstream's text: {unreached}"


@pytest.mark.parametrize("hostile_world", [PLAIN_IDS, EVERY_STRING], indirect=True)
def test_the_pool_deletion_page_shows_the_pool_name_as_text(hostile_world):
    client = Client()
    client.force_login(hostile_world.users[permissions.OPERATOR])
    url = reverse("pools:delete_pool_request", args=[hostile_world.connection.pk, hostile_world.pool_name])

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b data-x=mrk7q&gt;&quot;&#x27;&amp;" in html
    assert unescaped_markup(html) == []


def test_the_connection_form_help_text_shows_the_key_hint_as_text(client, django_user_model):
    """The admin prints the form's help texts as HTML, our connection page escapes them: text on both."""
    connection = build_connection("hinted", access_key="<i>AKFAKEPLAIN0042<u>")
    superuser = get_user_model().objects.create_superuser("inert-root", "root@example.test", PASSWORD)
    client.force_login(superuser)

    for url in (
        reverse("admin:pools_connection_change", args=[connection.pk]),
        reverse("pools:connection_edit", args=[connection.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Stored: &lt;i&gt;A…2&lt;u&gt;." in html, url
        assert "<i>A" not in html and "&amp;lt;" not in html, url


def interpolates(value: ast.expr) -> bool:
    """An f-string with a value in it, ``"…".format(…)``, ``"…" % …`` or a concatenation."""
    if isinstance(value, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in value.values)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        return value.func.attr == "format"
    return isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mod | ast.Add)


def interpolated_help_texts(root: Path) -> list[str]:
    """Where a ``help_text`` is built from values by string formatting (``format_html`` escapes them)."""
    found: list[tuple[Path, int]] = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Assign):
                values = [
                    node.value
                    for target in node.targets
                    if isinstance(target, ast.Attribute) and target.attr == "help_text"
                ]
            elif isinstance(node, ast.keyword) and node.arg == "help_text":
                values = [node.value]
            else:
                continue
            found += [(path, value.lineno) for value in values if interpolates(value)]
    return [f"{path.relative_to(root.parent)}:{line}" for path, line in sorted(found)]


def test_no_help_text_is_built_by_string_formatting():
    """Django's form templates print ``help_text`` as HTML (``|safe``): a value put into one must be escaped,
    which ``format_html`` does and an f-string does not. Pages the walk above cannot reach are covered too."""
    assert interpolated_help_texts(Path(__file__).resolve().parents[2] / "pools") == []


def test_the_scan_finds_help_text_built_by_string_formatting(tmp_path):
    (tmp_path / "pools").mkdir()
    (tmp_path / "pools" / "forms.py").write_text(
        "field.help_text = f'{pool.name}'\n"
        "x = forms.CharField(help_text='%s' % name)\n"
        "field.help_text = '“{}”'.format(name)\n"
        "field.help_text = format_html('“{}”', name)\n"
        "y = forms.CharField(help_text=POINT_RULE)\n"
    )
    assert interpolated_help_texts(tmp_path / "pools") == [
        "pools/forms.py:1",
        "pools/forms.py:2",
        "pools/forms.py:3",
    ]


def test_the_deletion_form_help_text_is_escaped_for_templates_that_print_it_as_html():
    pool = Pool.parse({"metadata": {"name": f"p{MARK}", "labels": {"os.modelarts/name": f"n{MARK}"}}})
    help_text = DeletePoolForm(pool=pool).fields["confirmation"].help_text
    # Django's field template prints help_text with |safe: the text itself must be escaped HTML.
    assert MARK not in help_text
    assert "&lt;b data-x=mrk7q&gt;&quot;&#x27;&amp;" in help_text


# --- The check can fail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{MARK}</p>",
        f'<input value="&lt;b data-x={TOKEN}&gt;"\'&">',  # angle brackets escaped, the quote not
        f'<div hx-vals=\'{{"a": "{TOKEN}>"}}\'>',
        f'<script type="application/json">{{"a": "{MARK}"}}</script>',
        f'<a href="/pools/1/x%3Cb%20data-x%3D{TOKEN}%3E%22\'&/">',  # a path's ' and & written raw
    ],
)
def test_the_check_finds_markup_that_is_not_escaped(html):
    assert unescaped_markup(html)


@pytest.mark.parametrize(
    "html",
    [
        f"<p>&lt;b data-x={TOKEN}&gt;&quot;&#x27;&amp;</p>",
        f'<pre>{{"a": "&lt;b data-x={TOKEN}&gt;\\&quot;&#x27;&amp;"}}</pre>',
        f'<a href="/pools/1/x%3Cb%20data-x={TOKEN}%3E%22&#x27;&amp;/">',
        f'<a href="/x?q=%3Cb+data-x%3D{TOKEN}%3E%22%27%26">',
        f'<script type="application/json" id="d">{{"a": "\\u003Cb data-x={TOKEN}\\u003E\\"\'\\u0026"}}</script>',
    ],
)
def test_the_check_accepts_escaped_text(html):
    assert unescaped_markup(html) == []
