"""The main navigation marks the section of the page shown, as pools.urls declares it for each URL."""

import re

import pytest
from django.urls import get_resolver, reverse

from pools.urls import NAV_SECTIONS, app_name

pytestmark = pytest.mark.django_db


def active_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    return re.findall(r'<a href="[^"]*" class="active">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("url", "section"),
    [
        (reverse("pools:overview"), "Overview"),
        (reverse("pools:pool_list"), "Pools"),
        (reverse("pools:pool_wizard_start"), "Pools"),
        (reverse("pools:connection_list"), "Connections"),
        (reverse("pools:connection_create"), "Connections"),
        (reverse("pools:audit_log"), "Audit"),
    ],
)
def test_the_active_link_is_the_sections_of_the_page(client, administrator, locmem_cache, url, section):
    client.force_login(administrator)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert active_links(response.content.decode()) == [section]


def test_a_pools_delete_request_page_is_in_the_pools_section(client, administrator, sandbox_connection):
    client.force_login(administrator)
    url = reverse("pools:delete_pool_request", args=[sandbox_connection.pk, "any-pool"])
    response = client.get(url)
    assert active_links(response.content.decode()) == ["Pools"]


def test_every_url_of_the_app_has_a_section():
    names = {
        pattern.name for pattern in get_resolver().namespace_dict[app_name][1].url_patterns if pattern.name
    }
    assert names == set(NAV_SECTIONS)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in names), "snake_case names"
