"""Failed pools and abnormal nodes, read off ModelArts by the scheduled job and announced once each; never by
a page view, and never forgotten because of a failed read."""

import pytest
from django.urls import reverse

from pools.modelarts.vocabulary import FAILED_PHASES
from pools.models import AnnouncedCondition
from pools.selectors.cache import forget_connection
from pools.services.change_requests.background import scheduled_job
from pools.services.notifications.routes import notification_route_update
from pools.services.notifications.watch import conditions_watch
from tests.fixtures import sandbox as sandbox_account
from tests.services.notifications.conftest import events_received

pytestmark = pytest.mark.django_db


def failed_pools(sandbox) -> set[str]:
    return {
        pool["metadata"]["name"]
        for pool in sandbox.pools(sandbox_account.PROJECT_ID)
        if pool["status"]["phase"] in FAILED_PHASES
    }


def abnormal_nodes(sandbox) -> set[str]:
    return {
        f"{pool['metadata']['name']}/{node['metadata']['name']}"
        for pool in sandbox.pools(sandbox_account.PROJECT_ID)
        for node in sandbox.nodes(sandbox_account.PROJECT_ID, pool["metadata"]["name"])
        if node["status"]["phase"] == "Abnormal"
    }


def announced(event: str) -> set[str]:
    return set(AnnouncedCondition.objects.filter(event=event).values_list("key", flat=True))


def test_failed_pools_and_abnormal_nodes_are_announced_once(seeded_sandbox, receiver, webhook_route):
    expected_pools, expected_nodes = failed_pools(seeded_sandbox), abnormal_nodes(seeded_sandbox)
    assert expected_pools and expected_nodes  # the demo estate has both

    summary = conditions_watch()

    assert summary.announced == {"pool_failed": len(expected_pools), "node_abnormal": len(expected_nodes)}
    assert announced("pool_failed") == expected_pools and announced("node_abnormal") == expected_nodes
    received = events_received(receiver)
    assert received.count("pool_failed") == len(expected_pools)
    assert received.count("node_abnormal") == len(expected_nodes)
    node_notice = next(d.payload for d in receiver.deliveries if d.payload["event"] == "node_abnormal")
    assert f"{node_notice['data']['pool']['name']}/{node_notice['data']['node']['name']}" in expected_nodes

    forget_connection(webhook_route.connection_id)
    assert conditions_watch().announced == {}
    assert "announced nothing" in scheduled_job.call(0)
    assert len(receiver.deliveries) == len(received)


def test_a_condition_that_clears_is_forgotten_so_its_next_occurrence_is_announced(
    seeded_sandbox, cloud, receiver, webhook_route
):
    conditions_watch()
    gone = sorted(failed_pools(seeded_sandbox))[0]
    cloud.delete_pool_elsewhere(gone)
    cloud.finish_deletions()
    forget_connection(webhook_route.connection_id)

    conditions_watch()

    assert gone not in announced("pool_failed") and announced("pool_failed") == failed_pools(seeded_sandbox)


def test_a_failed_read_forgets_nothing_and_announces_nothing(seeded_sandbox, receiver, webhook_route):
    conditions_watch()
    before, received = announced("pool_failed"), len(receiver.deliveries)
    forget_connection(webhook_route.connection_id)
    seeded_sandbox.faults.error(503, operation="ListPools")

    summary = conditions_watch()

    assert announced("pool_failed") == before and len(receiver.deliveries) == received
    assert summary.announced == {}


def test_only_connections_whose_routes_want_read_events_are_read(
    seeded_sandbox, receiver, webhook_route, administrator
):
    notification_route_update(
        user=administrator,
        route=webhook_route,
        name=webhook_route.name,
        channel="webhook",
        events=["approval_pending", "execution_failed"],
        enabled=True,
    )
    seeded_sandbox.clear_calls()
    assert conditions_watch().announced == {}
    assert seeded_sandbox.calls() == 0 and receiver.deliveries == []


def test_a_page_view_announces_nothing(seeded_sandbox, receiver, webhook_route, viewer_client):
    for page in ("pools:pool_list", "pools:overview"):
        assert viewer_client.get(reverse(page)).status_code == 200
    assert not AnnouncedCondition.objects.exists() and receiver.deliveries == []


def recent_warnings(connection, minutes: int) -> set[str]:
    """(pool, reason) of every Warning event of the connection's pools last seen within ``minutes``."""
    from datetime import timedelta

    from django.utils import timezone

    from pools.selectors.events import pool_event_page
    from pools.selectors.modelarts import pool_list

    since = timezone.now() - timedelta(minutes=minutes)
    found = set()
    for pool in pool_list(connection=connection).value.items:
        page = pool_event_page(connection=connection, pool_name=pool.name, event_type="Warning", limit=20)
        found |= {(pool.name, e.reason) for e in page.value.items if e.last_at and e.last_at >= since}
    return found


def test_recent_warning_events_are_announced_once(seeded_sandbox, receiver, webhook_route, settings):
    settings.NOTIFICATION_EVENT_MAX_AGE_MINUTES = 10 * 24 * 60  # the demo estate's warnings are days old
    expected = recent_warnings(webhook_route.connection, settings.NOTIFICATION_EVENT_MAX_AGE_MINUTES)
    assert expected, "the demo estate has warning events"

    conditions_watch()

    warnings = [d.payload for d in receiver.deliveries if d.payload["event"] == "warning_event"]
    assert {(w["data"]["pool"]["name"], w["data"]["event"]["reason"]) for w in warnings} == expected
    assert len(warnings) == len(announced("warning_event"))
    forget_connection(webhook_route.connection_id)
    assert "warning_event" not in conditions_watch().announced


def test_old_warning_events_are_not_announced(seeded_sandbox, receiver, webhook_route, settings):
    settings.NOTIFICATION_EVENT_MAX_AGE_MINUTES = 1
    assert not recent_warnings(webhook_route.connection, 1)
    conditions_watch()
    assert "warning_event" not in events_received(receiver) and not announced("warning_event")
