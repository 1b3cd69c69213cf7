"""A pool's Events tab and the events inbox: warnings marked and first, paging, maintenance, failures as banners."""

import pytest
from django.urls import reverse

from pools.sandbox.seed import VISION_WORKSPACE
from tests.fixtures.connections import build_connection
from tests.fixtures.pool_pages import FAULT_MODES, hx_get
from tests.fixtures.sandbox import pool_id

pytestmark = pytest.mark.django_db


def events_url(connection, sandbox, display_name):
    return reverse("pools:pool_events", args=[connection.pk, pool_id(sandbox, display_name)])


def test_the_tab_shows_the_newest_event_first_and_marks_warnings(browse, seeded_sandbox, sandbox_connection):
    html = browse.get(events_url(sandbox_connection, seeded_sandbox, "llm-pretrain")).content.decode()

    rows = html.split('<tr class="event')[1:]
    assert len(rows) == 4
    assert rows[0].startswith(' highlight warning"') and "516/4/0/0" in rows[0]
    assert "Pool created, status Creating." in rows[-1]
    assert 'aria-current="page">Events</a>' in html
    # The planned hardware repair on one of the abnormal nodes, HARD only.
    assert "system-maintenance" in html and "HARD (wipes disks)" in html
    assert "Waiting for acceptance" in html
    assert "Accept…" not in html  # a viewer files no requests


def test_warnings_only(browse, seeded_sandbox, sandbox_connection):
    url = events_url(sandbox_connection, seeded_sandbox, "infer-t4")

    warnings = hx_get(browse, url, type="Warning").content.decode()

    assert warnings.lstrip().startswith('<div id="pool-tab"')
    assert warnings.count('<tr class="event') == 1
    assert "11/1/0/0" in warnings
    assert "ListEvents" in seeded_sandbox.call_counts()
    assert "type=Warning" in seeded_sandbox.call_log("ListEvents")[-1].query


def test_paging_with_continue(browse, seeded_sandbox, sandbox_connection, monkeypatch):
    monkeypatch.setattr("pools.selectors.events.EVENT_PAGE_SIZE", 2)
    url = events_url(sandbox_connection, seeded_sandbox, "infer-t4")

    first = browse.get(url).content.decode()
    next_url = first.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    second = browse.get(next_url).content.decode()

    assert first.count('<tr class="event') == 2 and "More events" in first
    assert second.count('<tr class="event') == 2
    assert "Back to the newest events" in second
    assert "continue=" in seeded_sandbox.call_log("ListEvents")[-1].query


def test_a_crafted_page_marker_is_a_field_error_and_nothing_goes_upstream(
    browse, seeded_sandbox, sandbox_connection
):
    url = events_url(sandbox_connection, seeded_sandbox, "infer-t4")

    html = browse.get(url, {"page": "<script>", "type": "Fatal"}).content.decode()

    assert "This page marker is not one ModelArts handed out." in html
    assert "Select a valid choice" in html
    assert seeded_sandbox.calls("ListEvents") == 0


@pytest.mark.parametrize("mode", sorted(FAULT_MODES))
def test_a_failing_event_read_is_a_banner(browse, seeded_sandbox, sandbox_connection, mode):
    switch_on, code, words = FAULT_MODES[mode]
    switch_on(seeded_sandbox, "ListEvents")
    url = events_url(sandbox_connection, seeded_sandbox, "infer-t4")

    response = browse.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "upstream-error" in html and "Reading the events of pool" in html
    assert code in html and words in html


def test_the_inbox_shows_warnings_first_across_connections(browse, seeded_sandbox, sandbox_connection):
    html = browse.get(reverse("pools:events_inbox")).content.decode()

    rows = html.split('<tr class="event')[1:]
    kinds = [row.startswith(" highlight warning") for row in rows]
    assert kinds == sorted(kinds, reverse=True) and kinds.count(True) == 4
    assert any("npu-infer-trial" in row for row in rows[:4])
    # Open maintenance of every workspace: llm-pretrain's (workspace 0) and vision-train's (its own).
    assert html.count('<tr class="scheduled-event') == 2
    assert "vision-train" in html and "localdisk-recovery" in html
    assert 'class="active">Events</a>' in html


def test_the_inbox_filters_by_type_and_pool(browse, seeded_sandbox, sandbox_connection):
    html = hx_get(browse, reverse("pools:events_inbox"), type="Warning", pool="vision").content.decode()

    assert html.lstrip().startswith('<div id="inbox"')
    assert html.count('<tr class="event') == 1 and "vision-train" in html
    assert html.count('<tr class="scheduled-event') == 1
    assert "Accept…" not in html  # a viewer files no requests


def test_an_operator_gets_the_accept_link_with_the_events_workspace(
    operator_client, locmem_cache, fail_fast, seeded_sandbox, sandbox_connection
):
    html = operator_client.get(reverse("pools:events_inbox"), {"pool": "vision"}).content.decode()

    assert f"accept/?workspace={VISION_WORKSPACE}" in html


def test_one_failing_connection_is_a_banner_and_the_others_still_show(
    browse, seeded_sandbox, sandbox_connection
):
    down = build_connection(
        name="down", endpoint="http://127.0.0.1:9", project_id=sandbox_connection.project_id
    )

    response = browse.get(reverse("pools:events_inbox"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-connection="{down.pk}"' in html and "upstream-error" in html
    assert html.count('class="event highlight warning"') == 4


def test_a_page_marker_modelarts_refuses_says_the_link_is_old(browse, seeded_sandbox, sandbox_connection):
    url = events_url(sandbox_connection, seeded_sandbox, "infer-t4")
    html = browse.get(url, {"page": "old-marker"}).content.decode()
    assert "ModelArts did not accept this link's place in the list" in html
    assert f'<a href="{url}">Start again from the first page</a>' in html
    assert "place-refused" not in browse.get(url).content.decode()
