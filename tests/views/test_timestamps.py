"""One way to show a moment on every page: ``{% timestamp %}`` (UTC, put in the viewer's zone by browse.js)."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pools.templatetags.browse import timestamp
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = pytest.mark.django_db

TIME_ELEMENT = re.compile(r"<time\b.*?</time>", re.S)
# What {% timestamp %} writes: the ISO moment, the UTC text as tooltip and as text, the data-local marker.
CANONICAL = re.compile(
    r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00" '
    r'title="(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)" data-local>\1</time>'
)


def time_elements(html: str) -> list[str]:
    return TIME_ELEMENT.findall(html)


@pytest.fixture
def everything_dated(
    locmem_cache, fail_fast, seeded_sandbox, sandbox_connection, operator, approver, audit_history
):
    """A pool estate, a tested connection, a pending and a decided change request, an audit history."""
    from pools.services.change_requests import change_request_create, change_request_reject

    sandbox_connection.last_test_at = timezone.now()
    sandbox_connection.last_test_ok = True
    sandbox_connection.save()
    pools = {
        p["metadata"]["labels"]["os.modelarts/name"]: p["metadata"]["name"]
        for p in seeded_sandbox.pools(PROJECT_ID)
    }
    pending = change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pools["infer-t4"],
        body=None,
        reason="Moved.",
        idempotency_key="timestamps-pending",
    )
    rejected = change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=pools["notebook-cpu"],
        body=None,
        reason="Unused.",
        idempotency_key="timestamps-rejected",
    )
    change_request_reject(user=approver, change_request=rejected, comment="Still used.")
    return {"connection": sandbox_connection, "pools": pools, "pending": pending, "rejected": rejected}


def pages(dated) -> dict[str, str]:
    connection, llm = dated["connection"], dated["pools"]["llm-pretrain"]
    return {
        "pool list": f"{reverse('pools:pool_list')}?connection={connection.pk}",
        "pool detail": reverse("pools:pool_detail", args=[connection.pk, llm]),
        "nodes": reverse("pools:pool_nodes", args=[connection.pk, llm]),
        "approvals": reverse("pools:approvals"),
        "live check": reverse("pools:change-request-revalidation", args=[dated["pending"].pk]),
        "change request": reverse("pools:change-request-detail", args=[dated["rejected"].pk]),
        "history": reverse("pools:approvals-history"),
        "my requests": reverse("pools:my-requests"),
        "audit": reverse("pools:audit_log"),
        "connections": reverse("pools:connections"),
    }


@pytest.mark.parametrize(
    "page",
    [
        "pool list",
        "pool detail",
        "nodes",
        "approvals",
        "live check",
        "change request",
        "history",
        "my requests",
        "audit",
        "connections",
    ],
)
def test_every_page_shows_its_moments_one_way(client, administrator, operator, everything_dated, page):
    client.force_login(operator if page == "my requests" else administrator)
    response = client.get(pages(everything_dated)[page])
    html = response.content.decode()

    assert response.status_code == 200
    shown = time_elements(html)
    assert shown, f"the {page} page shows no moment"
    assert [element for element in shown if not CANONICAL.fullmatch(element)] == []
    assert "data-local-time" not in html and not re.search(r"\d\d:\d\d:\d\d [+-]\d{4}", html)


def test_the_tag_takes_a_moment_or_its_iso_text_alike():
    moment = datetime(2025, 1, 1, 8, 0, 5, tzinfo=UTC)
    assert timestamp(moment) == timestamp("2025-01-01T08:00:05Z") == timestamp("2025-01-01T08:00:05+00:00")
    assert CANONICAL.fullmatch(timestamp("2025-01-01T08:00:05Z"))
    assert timestamp(None) == timestamp("") == ""
