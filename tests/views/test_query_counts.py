"""Database queries per page stay constant: more pools, connections or change requests add none (no N+1).

Each test counts one page's queries with a few of the things it lists, adds many more, and counts again. The
page is requested once before each count, so one-off work (the session's first save, permission caches)
does not blur the comparison.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection as database
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pools.models import ChangeRequest, ChangeRequestApproval, ChangeRequestComment
from pools.services.change_requests import events as change_request_events
from tests.fixtures.pool_pages import hx_get
from tests.fixtures.sandbox import PROJECT_ID, pool_body

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 12
# The browse pages' queries at most (docs/performance.md): the session and permissions come from the cache,
# the user and the visible connections from one query each.
BROWSE_BUDGET = {"overview": 3, "overview_card": 2, "pool_list": 5, "pool_tab": 5}


def queries(client, url: str, *, htmx: bool = False, **params) -> int:
    get = (lambda: hx_get(client, url, **params)) if htmx else (lambda: client.get(url, params))
    assert get().status_code == 200
    with CaptureQueriesContext(database) as captured:
        response = get()
    assert response.status_code == 200
    return len(captured)


def add_pools(sandbox, count: int, prefix: str) -> list[str]:
    names = [
        sandbox.create_pool(PROJECT_ID, pool_body(f"{prefix}-{number:02d}"))["metadata"]["name"]
        for number in range(count)
    ]
    sandbox.settle()
    return names


def add_connections(make_connection, count: int, prefix: str) -> None:
    for number in range(count):
        make_connection(f"{prefix}-{number:02d}")


def add_requests(connection, user, targets, *, status=ChangeRequest.Status.PENDING, approver=None) -> list:
    """Change requests straight through the model (no upstream check), each with an event and a comment,
    and, when ``approver`` is given, an approval."""
    made = []
    for target in targets:
        change_request = ChangeRequest.objects.create(
            connection=connection,
            kind=ChangeRequest.Kind.DELETE_POOL,
            target=target,
            reason="query count",
            requested_by=user,
            idempotency_key=uuid.uuid4().hex,
            status=status,
            expires_at=timezone.now() + timedelta(days=1),
        )
        change_request_events.record(change_request, user=user, action="create", flag="add")
        ChangeRequestComment.objects.create(change_request=change_request, author=user, text="why")
        if approver is not None:
            ChangeRequestApproval.objects.create(change_request=change_request, approver=approver)
        made.append(change_request)
    return made


# --- browse pages ------------------------------------------------------------------------------------------


def test_overview(browse, make_connection):
    url = reverse("pools:overview")
    add_connections(make_connection, FEW, "few")
    few = queries(browse, url)
    assert few <= BROWSE_BUDGET["overview"]
    add_connections(make_connection, MANY, "many")
    assert queries(browse, url) == few


def test_overview_card(browse, sandbox, sandbox_connection, make_connection):
    url = reverse("pools:overview_card", args=[sandbox_connection.pk])
    add_pools(sandbox, FEW, "few")
    few = queries(browse, url, htmx=True, refresh="1")
    assert few <= BROWSE_BUDGET["overview_card"]
    add_pools(sandbox, MANY, "many")
    add_connections(make_connection, MANY, "many")
    assert queries(browse, url, htmx=True, refresh="1") == few


def test_pool_list(browse, sandbox, sandbox_connection, make_connection, operator):
    url, chosen = reverse("pools:pool_list"), {"connection": sandbox_connection.pk, "refresh": "1"}
    add_requests(sandbox_connection, operator, add_pools(sandbox, FEW, "few"))
    few = queries(browse, url, **chosen)
    assert few <= BROWSE_BUDGET["pool_list"]
    add_requests(sandbox_connection, operator, add_pools(sandbox, MANY, "many"))
    add_connections(make_connection, MANY, "many")
    html = browse.get(url, chosen).content.decode()
    assert html.count("has-requests") == FEW + MANY, "every open request is marked"
    assert queries(browse, url, **chosen) == few


@pytest.mark.parametrize("tab", ["pool_detail", "pool_nodes", "pool_monitoring"])
def test_pool_tabs(browse, sandbox, sandbox_connection, operator, tab):
    pool = add_pools(sandbox, 1, "tabbed")[0]
    url = reverse(f"pools:{tab}", args=[sandbox_connection.pk, pool])
    add_requests(sandbox_connection, operator, [pool] * FEW)
    few = queries(browse, url)
    assert few <= BROWSE_BUDGET["pool_tab"]
    add_requests(sandbox_connection, operator, [pool] * MANY)
    add_requests(sandbox_connection, operator, add_pools(sandbox, MANY, "other"))
    assert queries(browse, url) == few


# --- connections and approvals -----------------------------------------------------------------------------


def test_connection_list(admin_client_, make_connection):
    url = reverse("pools:connection_list")
    add_connections(make_connection, FEW, "few")
    few = queries(admin_client_, url)
    add_connections(make_connection, MANY, "many")
    assert queries(admin_client_, url) == few


def test_approval_queue(approver_client, connection, operator, second_approver):
    url = reverse("pools:approval_queue")
    add_requests(connection, operator, [f"few-{n}" for n in range(FEW)], approver=second_approver)
    few = queries(approver_client, url)
    add_requests(connection, operator, [f"many-{n}" for n in range(MANY)], approver=second_approver)
    assert queries(approver_client, url) == few


def test_approval_history(approver_client, connection, operator, second_approver):
    url = reverse("pools:approval_history")
    rejected = ChangeRequest.Status.REJECTED
    add_requests(
        connection, operator, [f"few-{n}" for n in range(FEW)], status=rejected, approver=second_approver
    )
    few = queries(approver_client, url)
    add_requests(
        connection, operator, [f"many-{n}" for n in range(MANY)], status=rejected, approver=second_approver
    )
    assert queries(approver_client, url) == few


def test_my_requests(operator_client, connection, operator, second_approver):
    url = reverse("pools:my_requests")
    add_requests(connection, operator, [f"few-{n}" for n in range(FEW)], approver=second_approver)
    few = queries(operator_client, url)
    add_requests(connection, operator, [f"many-{n}" for n in range(MANY)], approver=second_approver)
    assert queries(operator_client, url) == few


def test_change_request_detail(approver_client, connection, operator, approver):
    (change_request,) = add_requests(connection, operator, ["detailed"])
    url = reverse("pools:change_request_detail", args=[change_request.pk])
    few = queries(approver_client, url)
    for number in range(MANY):
        ChangeRequestComment.objects.create(change_request=change_request, author=operator, text=f"{number}")
        change_request_events.record(change_request, user=operator, action="comment", comment=f"{number}")
    add_requests(connection, operator, [f"other-{n}" for n in range(MANY)])
    assert queries(approver_client, url) == few
