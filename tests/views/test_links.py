"""Addresses the pool pages link to (pools/views/links.py)."""

import pytest
from django.urls import reverse

from pools.views.links import pool_url, pool_urls


@pytest.mark.parametrize(
    "pool", ["pool-demo-0a1b2c3d", "with space", "ünïcode", "a%b", "semi;colon:at@", "question?mark#hash"]
)
@pytest.mark.parametrize("route", ["pools:pool_detail", "pools:pool_nodes", "pools:pool_monitoring"])
def test_pool_url_is_what_reverse_gives(route, pool):
    assert pool_url(route, 12, pool) == reverse(route, args=[12, pool])


def test_a_slash_in_a_pool_id_stays_inside_its_segment():
    # reverse() refuses it outright; a pool list must not fail for one odd id, so it is quoted instead.
    assert pool_url("pools:pool_detail", 3, "a/b") == "/pools/3/a%2Fb/"


def test_pool_urls_of_one_list_are_those_of_pool_url():
    names = ["pool-demo-0a1b2c3d", "with space", "a/b", "semi;colon:at@"]
    detail_url = pool_urls("pools:pool_nodes", 7)
    assert [detail_url(name) for name in names] == [pool_url("pools:pool_nodes", 7, name) for name in names]
