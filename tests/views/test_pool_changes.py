"""The pages that file pool changes: scale, edit, tags. What they show, what they file, their field errors,
and a banner (never a 500) when ModelArts fails."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from pools.forms import pool_changes as forms
from pools.models import ChangeRequest
from pools.sandbox import scaling
from pools.selectors.pool_changes import FLAVORS_FROM_CATALOG
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = pytest.mark.django_db

T4 = "modelarts.vm.gpu.t4u8"
ANT8 = "modelarts.bm.gpu.ant8"


def url(name, connection, pool_id):
    return reverse(f"pools:{name}", args=[connection.pk, pool_id])


def key_of(response) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def test_the_scale_page_shows_capacity_zones_and_the_flavors_on_sale(
    operator_client, sandbox_connection, running_pool
):
    pool_id = running_pool("pool-vision", count=3)
    response = operator_client.get(url("scale_pool_request", sandbox_connection, pool_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Request to scale pool-vision" in html
    assert [row.before for row in response.context["form"].rows()] == [3]
    assert response.context["form"].zones == ("cn-north-4a", "cn-north-4b", "cn-north-4c")
    assert "sold out in cn-north-4c" in html  # the A800 flavor, offered as a new row
    assert 'data-role="sold-out"' not in html  # the pool's own T4 flavor is sold out nowhere


def test_a_zone_the_pools_flavor_is_sold_out_in_is_marked_on_its_row(
    operator_client, sandbox_connection, running_pool
):
    pool_id = running_pool("pool-big", count=1, flavor=ANT8)
    html = operator_client.get(url("scale_pool_request", sandbox_connection, pool_id)).content.decode()
    assert html.count('data-role="sold-out"') == 1


def test_a_preview_shows_capacity_before_and_after_and_files_nothing(
    operator_client, sandbox_connection, running_pool
):
    pool_id = running_pool("pool-vision", count=3)
    page = url("scale_pool_request", sandbox_connection, pool_id)
    response = operator_client.post(
        page,
        {"count_0": "2", "new_flavor": ANT8, "new_count": "1", "preview": "1", "submission_key": "a" * 32},
    )
    preview = response.context["preview"]
    assert (preview.nodes_before, preview.nodes_after) == (3, 3)
    assert (preview.cards_before, preview.cards_after) == (3, 10)
    html = response.content.decode()
    assert 'data-role="scale-down"' in html and "ModelArts chooses which nodes go" in html
    assert 'data-role="billing"' in html and "Pay-per-use" in html
    assert not ChangeRequest.objects.exists()


def test_scaling_files_the_exact_patch_body(operator_client, sandbox_connection, running_pool, sandbox):
    pool_id = running_pool("pool-vision", count=3)
    page = url("scale_pool_request", sandbox_connection, pool_id)
    response = operator_client.post(
        page,
        {
            "count_0": "5",
            "zone_0_0": "3",
            "zone_0_1": "2",
            "reason": "Peak",
            "submission_key": key_of(operator_client.get(page)),
        },
    )
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "pools:change_request_detail", args=[change_request.pk]
    )
    assert (change_request.kind, change_request.target) == (ChangeRequest.Kind.SCALE_POOL, pool_id)
    assert change_request.body == {
        "spec": {
            "resources": [
                {
                    "flavor": T4,
                    "count": 5,
                    "azs": [{"az": "cn-north-4a", "count": 3}, {"az": "cn-north-4b", "count": 2}],
                }
            ]
        }
    }
    assert sandbox.calls("PatchPool") == 0, "nothing changes before approval"


def test_scale_field_errors_stay_on_the_page(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision", count=3)
    page = url("scale_pool_request", sandbox_connection, pool_id)
    response = operator_client.post(page, {"count_0": "3", "reason": "x", "submission_key": "a" * 32})
    assert response.status_code == 200
    assert forms.NOTHING_CHANGES in response.content.decode()
    sold_out = operator_client.post(
        page,
        {
            "count_0": "3",
            "new_flavor": ANT8,
            "new_count": "1",
            "zone_new_2": "1",
            "reason": "x",
            "submission_key": "a" * 32,
        },
    )
    assert sold_out.context["form"].errors["zone_new_2"] == [
        forms.SOLD_OUT_ZONE.format(flavor=ANT8, zone="cn-north-4c")
    ]
    assert not ChangeRequest.objects.exists()


def test_without_the_flavors_on_sale_the_scale_page_offers_the_catalog(
    operator_client, sandbox_connection, running_pool, sandbox
):
    pool_id = running_pool("pool-vision", count=3)
    sandbox.faults.error(503, operation="ListResourceFlavors")
    response = operator_client.get(url("scale_pool_request", sandbox_connection, pool_id))
    assert response.status_code == 200
    assert escape(FLAVORS_FROM_CATALOG) in response.content.decode()
    assert response.context["form"].zones == ()


@pytest.mark.parametrize("name", ["scale_pool_request", "edit_pool_request", "pool_tags_request"])
def test_a_pool_modelarts_cannot_read_is_a_banner(
    operator_client, sandbox_connection, running_pool, sandbox, name
):
    pool_id = running_pool("pool-vision")
    sandbox.faults.error(503, operation="ShowPool")
    response = operator_client.get(url(name, sandbox_connection, pool_id))
    assert response.status_code == 502
    assert "upstream-error" in response.content.decode()
    missing = operator_client.get(url(name, sandbox_connection, "no-such-pool"))
    assert missing.status_code in (404, 502)


def test_editing_files_only_what_changed(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision")
    page = url("edit_pool_request", sandbox_connection, pool_id)
    form_page = operator_client.get(page)
    assert form_page.context["form"].driver_key == "gpuVersion"
    response = operator_client.post(
        page,
        {
            "description": "",
            "scope": ["Train", "Infer", "Notebook"],
            "driver_version": "535.161.08",
            "update_strategy": "force",
            "reason": "Notebooks too",
            "submission_key": key_of(form_page),
        },
    )
    assert response.status_code == 302
    change_request = ChangeRequest.objects.get()
    assert change_request.kind == ChangeRequest.Kind.EDIT_POOL
    assert change_request.body == {
        "spec": {
            "scope": ["Train", "Infer", "Notebook"],
            "driver": {"gpuVersion": "535.161.08", "updateStrategy": "force"},
        }
    }


def test_the_pool_page_shows_its_tags(operator_client, sandbox_connection, running_pool, sandbox):
    pool_id = running_pool("pool-vision")
    sandbox.store.find(PROJECT_ID, pool_id).tags = {"cost-centre": "cc-7"}
    html = operator_client.get(
        reverse("pools:pool_detail", args=[sandbox_connection.pk, pool_id])
    ).content.decode()
    assert "cost-centre" in html and "cc-7" in html and "Change tags…" in html
    sandbox.faults.error(503, operation="ShowPoolTags")
    failing = operator_client.get(
        reverse("pools:pool_detail", args=[sandbox_connection.pk, pool_id]) + "?refresh=1"
    )
    assert failing.status_code == 200  # the pool shows; the tags card says what failed


def test_tags_are_filed_with_the_limit_checked(operator_client, sandbox_connection, running_pool, sandbox):
    pool_id = running_pool("pool-vision")
    sandbox.store.find(PROJECT_ID, pool_id).tags = {f"k{n}": "v" for n in range(19)}
    page = url("pool_tags_request", sandbox_connection, pool_id)
    key = key_of(operator_client.get(page))
    refused = operator_client.post(
        page,
        {"key_0": "a", "value_0": "1", "key_1": "b", "value_1": "2", "reason": "x", "submission_key": key},
    )
    assert "A pool has at most 20 tags" in refused.content.decode()
    assert not ChangeRequest.objects.exists()
    filed = operator_client.post(
        page,
        {
            "key_0": "a",
            "value_0": "1",
            "key_1": "b",
            "value_1": "2",
            "remove": ["k0"],
            "reason": "x",
            "submission_key": key,
        },
    )
    assert filed.status_code == 302
    change_request = ChangeRequest.objects.get()
    assert change_request.kind == ChangeRequest.Kind.POOL_TAGS
    assert change_request.body == {"add": {"a": "1", "b": "2"}, "remove": ["k0"]}


def test_the_pool_page_says_when_a_pool_is_scaling(
    operator_client, sandbox_connection, running_pool, sandbox
):
    pool_id = running_pool("pool-vision", count=2)
    detail = reverse("pools:pool_detail", args=[sandbox_connection.pk, pool_id])
    assert 'data-role="scaling"' not in operator_client.get(detail).content.decode()

    scaling.patch_pool(
        sandbox.store,
        PROJECT_ID,
        pool_id,
        b'{"spec": {"resources": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 3}]}}',
        "application/json",
    )
    html = operator_client.get(detail + "?refresh=1").content.decode()
    assert "1 node being added, 0 being removed" in html
