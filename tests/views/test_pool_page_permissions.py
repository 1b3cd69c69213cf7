"""Every page and partial that reads ModelArts: anonymous users go to login, users without a role get 403, viewers 200."""

import pytest
from django.urls import reverse

from tests.fixtures.pool_pages import hx_get

pytestmark = pytest.mark.django_db

POOL = "any-pool-00000000000000000000000000000000"


def browse_urls(connection_id: int, pool_name: str = POOL) -> list[str]:
    args = [connection_id, pool_name]
    return [
        reverse("pools:overview"),
        reverse("pools:overview_card", args=[connection_id]),
        reverse("pools:pool_list"),
        reverse("pools:pool_detail", args=args),
        reverse("pools:pool_nodes", args=args),
        reverse("pools:pool_monitoring", args=args),
        reverse("pools:pool_monitoring_csv", args=args),
    ]


def test_anonymous_users_are_sent_to_login(client):
    for url in browse_urls(1):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_users_without_a_role_are_forbidden(client, nobody):
    client.force_login(nobody)
    for url in browse_urls(1):
        assert client.get(url).status_code == 403, url
        assert hx_get(client, url).status_code == 403, url


def test_viewers_see_every_page_and_partial(browse, seeded_sandbox, sandbox_connection):
    pool = seeded_sandbox.pools(sandbox_connection.project_id)[0]["metadata"]["name"]
    for url in browse_urls(sandbox_connection.pk, pool):
        assert browse.get(url).status_code == 200, url
        partial = hx_get(browse, url)
        assert partial.status_code == 200, url
        if "csv" not in url and url != reverse("pools:overview"):
            assert "HX-Request" in partial["Vary"], (
                "page and partial share a URL: caches must tell them apart"
            )


def test_a_connection_that_does_not_exist_is_not_found(browse):
    assert browse.get(reverse("pools:overview_card", args=[999999])).status_code == 404
    assert browse.get(reverse("pools:pool_detail", args=[999999, POOL])).status_code == 404
    assert browse.get(reverse("pools:pool_list"), {"connection": 999999}).status_code == 404


def test_the_navigation_links_overview_and_pools(browse):
    html = browse.get(reverse("pools:overview")).content.decode()
    assert f'href="{reverse("pools:overview")}"' in html
    assert f'href="{reverse("pools:pool_list")}"' in html
    assert ">Pools</a>" in html and "Overview</a>" in html
