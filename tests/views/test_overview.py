"""The overview: cards per connection, loaded independently, with usage bars and pool statistics."""

import re

import pytest
from django.urls import reverse

from tests.fixtures.pool_pages import hx_get
from tests.fixtures.sandbox import AK, PROJECT_ID

pytestmark = pytest.mark.django_db


def card_url(connection) -> str:
    return reverse("pools:overview_card", args=[connection.pk])


def test_the_page_has_one_lazily_loaded_card_per_connection(browse, sandbox_connection, make_connection):
    other = make_connection("second-account")
    html = browse.get(reverse("pools:overview")).content.decode()
    for connection in (sandbox_connection, other):
        assert f'hx-get="{card_url(connection)}"' in html
        assert f'href="{card_url(connection)}"' in html, "the card opens without JavaScript too"
    assert html.count('hx-trigger="load"') == 2


def test_the_page_itself_calls_nothing_upstream(browse, seeded_sandbox):
    browse.get(reverse("pools:overview"))
    assert seeded_sandbox.calls() == 0


def card_counts(html: str) -> dict[str, int]:
    return {
        label: int(number)
        for number, label in re.findall(
            r'<span class="count">(\d+)</span> <span class="badge[^"]*">(\w+)<', html
        )
    }


def test_a_card_shows_usage_bars_and_pools_by_status(browse, seeded_sandbox, sandbox_connection):
    response = hx_get(browse, card_url(sandbox_connection))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and f'id="card-{sandbox_connection.pk}"' in html
    # Every pool of the demo estate, in every workspace, counted in the words of the status badges:
    # llm-pretrain, vision-train (its own workspace), infer-t4, notebook-cpu Running; ant8-expansion Creating;
    # npu-infer-trial Error; finance-batch Waiting.
    assert card_counts(html) == {"Creating": 1, "Running": 4, "Error": 1, "Waiting": 1}
    assert "in all workspaces" in html
    pools = reverse("pools:pool_list")
    assert f'href="{pools}?connection={sandbox_connection.pk}&amp;status=Error"' in html
    # Usage: the project's totals over every pool that reports it, then its fullest pools (at most five), each
    # with CPU, memory and the accelerator as bars; all of them are in the pool list.
    total = re.search(r'<tr class="usage-total"><th scope="row">All (\d+) pools</th>(.*?)</tr>', html, re.S)
    assert total and int(total.group(1)) == 7
    assert re.findall(r'usage-label">(\w+)<', total.group(2)) == ["CPU", "Memory", "NPU", "GPU"]
    fullest = re.findall(r'<th scope="row"><a href="[^"]+">([\w-]+)</a></th>', html)
    assert len(fullest) == 5 and "llm-pretrain" in fullest
    assert (
        f'href="{pools}?connection={sandbox_connection.pk}">Usage of all 7 pools in the pool list</a>' in html
    )
    assert html.count("<meter") >= 10
    assert '<span class="usage-label">NPU</span>' in html and '<span class="usage-label">GPU</span>' in html
    assert "GiB" in html and "As of" in html
    assert seeded_sandbox.calls("ShowPoolRuntimeMetrics") == 1
    assert seeded_sandbox.calls("ListPools") == 2  # workspace 0 and vision-train's
    assert seeded_sandbox.calls("ShowPoolStatistics") == 0


def test_a_card_without_javascript_is_the_overview_with_that_card(browse, seeded_sandbox, sandbox_connection):
    html = browse.get(card_url(sandbox_connection)).content.decode()
    assert "<html" in html and "<h1>Overview</h1>" in html
    assert "llm-pretrain" in html and 'hx-trigger="load"' not in html


def test_cards_come_from_the_cache_until_refreshed(browse, seeded_sandbox, sandbox_connection):
    hx_get(browse, card_url(sandbox_connection))
    hx_get(browse, card_url(sandbox_connection))
    assert seeded_sandbox.calls("ShowPoolRuntimeMetrics") == 1
    html = hx_get(browse, card_url(sandbox_connection), refresh="1").content.decode()
    assert seeded_sandbox.calls("ShowPoolRuntimeMetrics") == 2
    assert (
        f'hx-get="{card_url(sandbox_connection)}?refresh=1" hx-target="#card-{sandbox_connection.pk}"' in html
    )


def test_a_failing_connection_breaks_only_its_own_card(
    browse, seeded_sandbox, sandbox_connection, make_connection
):
    broken = make_connection(
        "wrong-keys",
        access_key=AK,
        secret_key="not-the-secret",
        project_id=PROJECT_ID,
        endpoint=seeded_sandbox.url,
    )
    bad = hx_get(browse, card_url(broken))
    good = hx_get(browse, card_url(sandbox_connection))
    assert bad.status_code == good.status_code == 200
    bad_html = bad.content.decode()
    assert "ModelArts refused the credentials" in bad_html and "APIG.0301" in bad_html
    assert "Request id" in bad_html
    assert "upstream-error" not in good.content.decode() and "llm-pretrain" in good.content.decode()


def test_a_failed_refresh_keeps_the_last_good_card_marked_stale(browse, seeded_sandbox, sandbox_connection):
    hx_get(browse, card_url(sandbox_connection))
    seeded_sandbox.faults.error(500)
    html = hx_get(browse, card_url(sandbox_connection), refresh="1").content.decode()
    assert "ModelArts.50005000" in html
    assert "Showing the last good data" in html and "llm-pretrain" in html
    assert "Stale: data from" in html
