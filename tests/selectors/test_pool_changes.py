"""Reads for pool changes: the flavors on sale (cached, with the catalog as a fallback that says so), a pool's
capacity per flavor, whether it is scaling now, and a scale's capacity before → after."""

import pytest

from pools.modelarts.types import Pool
from pools.selectors.pool_changes import (
    FLAVORS_FROM_CATALOG,
    flavor_offers,
    pool_capacity,
    pool_tags,
    scale_preview,
    scaling_now,
)
from tests.fixtures.sandbox import PROJECT_ID, pool_body, pool_id

pytestmark = pytest.mark.django_db
T4 = "modelarts.vm.gpu.t4u8"
ANT8 = "modelarts.bm.gpu.ant8"


def test_the_flavors_on_sale_are_read_once_and_carry_their_sold_out_zones(
    sandbox, sandbox_connection, locmem_cache
):
    offers = flavor_offers(connection=sandbox_connection)
    again = flavor_offers(connection=sandbox_connection)
    assert sandbox.calls("ListResourceFlavors") == 1
    assert offers == again and offers.error is None
    assert offers.zones == ("cn-north-4a", "cn-north-4b", "cn-north-4c")
    assert offers.get(ANT8).sold_out_zones == ("cn-north-4c",)
    assert offers.get(ANT8).choice_label.endswith("sold out in cn-north-4c")
    assert offers.get(T4).label == "GPU T4"  # labelled from the dashboard's catalog


def test_when_modelarts_cannot_list_flavors_the_catalog_is_offered_and_says_so(
    sandbox, sandbox_connection, locmem_cache
):
    sandbox.faults.error(503, operation="ListResourceFlavors")
    offers = flavor_offers(connection=sandbox_connection)
    assert offers.error is not None and offers.note == FLAVORS_FROM_CATALOG
    assert offers.get(T4) is not None and offers.zones == ()


def test_a_flavor_sold_out_everywhere_is_marked(sandbox, sandbox_connection, locmem_cache):
    sandbox.store.sold_out = {ANT8: set(sandbox.store.azs)}
    assert flavor_offers(connection=sandbox_connection).get(ANT8).sold_out_everywhere


def test_pool_tags_read_and_failure(sandbox, sandbox_connection, locmem_cache):
    sandbox.create_pool(PROJECT_ID, pool_body("tagged"))
    name = pool_id(sandbox, "tagged")
    sandbox.store.find(PROJECT_ID, name).tags = {"team": "a"}
    assert pool_tags(connection=sandbox_connection, pool_name=name).value.as_dict() == {"team": "a"}
    sandbox.faults.error(500, operation="ShowPoolTags")
    failed = pool_tags(connection=sandbox_connection, pool_name=name, refresh=True)
    assert failed.error is not None and failed.stale  # the last good copy, with the error


def running_pool(**status):
    return Pool.parse(
        {
            "metadata": {"name": "p"},
            "spec": {"resources": [{"flavor": T4, "count": 3}, {"flavor": ANT8, "count": 2}]},
            "status": {"phase": "Running", "resources": status},
        }
    )


def test_capacity_per_flavor_and_scaling_now():
    pool = running_pool(
        available=[{"flavor": T4, "count": 2}, {"flavor": ANT8, "count": 2}],
        creating=[{"flavor": T4, "count": 1}],
    )
    rows = pool_capacity(pool)
    assert [(row.flavor, row.count, row.available, row.creating, row.cards) for row in rows] == [
        (T4, 3, 2, 1, 3),
        (ANT8, 2, 2, 0, 16),
    ]
    assert scaling_now(pool).adding == 1
    assert scaling_now(running_pool(available=[{"flavor": T4, "count": 3}])) is None


def test_a_scale_preview_counts_nodes_and_cards_before_and_after():
    preview = scale_preview(
        [(T4, 3), (ANT8, 2)],
        {
            "spec": {
                "resources": [
                    {"flavor": T4, "count": 1},
                    {"flavor": ANT8, "count": 2},
                    {"flavor": "modelarts.vm.cpu.8ud", "count": 4},
                ]
            }
        },
    )
    assert (preview.nodes_before, preview.nodes_after) == (5, 7)
    assert (preview.cards_before, preview.cards_after) == (19, 17)
    assert preview.grows and preview.shrinks
    assert [step.change for step in preview.steps] == [-2, 0, 4]
