import re

import pytest
from django.test import Client
from django.urls import reverse

from pools import permissions
from pools.forms import pool_requests as forms
from pools.models import ChangeRequest
from pools.sandbox import operations
from pools.views.pool_requests import SENT_BEFORE
from tests.fixtures.sandbox import PROJECT_ID, pool_body
from tests.fixtures.users import make_user

pytestmark = pytest.mark.django_db


def delete_pool_url(connection, pool_id):
    return reverse("pools:delete_pool_request", args=[connection.pk, pool_id])


def delete_nodes_url(connection, pool_id):
    return reverse("pools:delete_nodes_request", args=[connection.pk, pool_id])


def submission_key(response) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


# --- delete pool ---------------------------------------------------------------------------------------------


def test_viewer_may_not_request_deletes(viewer_client, sandbox_connection, running_pool):
    pool_id = running_pool()
    assert viewer_client.get(delete_pool_url(sandbox_connection, pool_id)).status_code == 403
    assert (
        viewer_client.post(delete_nodes_url(sandbox_connection, pool_id), {"nodes": ["x"]}).status_code == 403
    )


def test_delete_pool_page_shows_the_pool(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision", count=3)
    html = operator_client.get(delete_pool_url(sandbox_connection, pool_id)).content.decode()
    assert "pool-vision" in html and pool_id in html
    assert "Running" in html and "3 × <code>modelarts.vm.gpu.t4u8</code>" in html


def test_wrong_confirmation_is_a_field_error(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision")
    url = delete_pool_url(sandbox_connection, pool_id)
    key = submission_key(operator_client.get(url))
    for typed in ("pool-visio", "POOL-VISION", pool_id[:-1], "pool-vision-x"):
        response = operator_client.post(
            url, {"confirmation": typed, "reason": "Done.", "submission_key": key}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["confirmation"] == [
            forms.CONFIRMATION_MISMATCH.format(display="pool-vision")
        ]
    assert "Type the pool" in response.content.decode()
    empty = operator_client.post(url, {"confirmation": "", "reason": "Done.", "submission_key": key})
    assert empty.context["form"].errors["confirmation"]
    assert ChangeRequest.objects.count() == 0


@pytest.mark.parametrize("typed", ["display name", "pool id"])
def test_right_confirmation_files_a_request_with_the_pool_id(
    operator_client, operator, sandbox_connection, running_pool, sandbox, typed
):
    pool_id = running_pool("pool-vision")
    url = delete_pool_url(sandbox_connection, pool_id)
    key = submission_key(operator_client.get(url))
    confirmation = "pool-vision" if typed == "display name" else pool_id
    response = operator_client.post(
        url, {"confirmation": confirmation, "reason": "Project over.", "submission_key": key}
    )
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pools:change_request_detail", args=[change_request.pk])
    assert (change_request.kind, change_request.target, change_request.body) == ("delete_pool", pool_id, None)
    assert change_request.reason == "Project over."
    assert change_request.requested_by == operator
    assert sandbox.calls("DeletePool") == 0
    # The same form sent again files nothing new.
    again = operator_client.post(
        url, {"confirmation": confirmation, "reason": "Project over.", "submission_key": key}
    )
    assert again.url == response.url and ChangeRequest.objects.count() == 1


def test_the_same_form_sent_again_with_other_values_says_so_and_gets_a_new_key(
    operator_client, sandbox_connection, running_pool
):
    pool_id = running_pool("pool-vision")
    url = delete_pool_url(sandbox_connection, pool_id)
    key = submission_key(operator_client.get(url))
    operator_client.post(
        url, {"confirmation": "pool-vision", "reason": "Project over.", "submission_key": key}
    )
    filed = ChangeRequest.objects.get()
    # Back, another reason, send: not quietly the first request, as if the new reason had been filed.
    edited = operator_client.post(
        url, {"confirmation": "pool-vision", "reason": "Budget cut.", "submission_key": key}
    )
    assert edited.status_code == 200
    assert SENT_BEFORE.format(pk=filed.pk) in edited.content.decode()
    assert submission_key(edited) != key
    # Sent with its new key it is a new submission: this one is refused as the change already asked for.
    again = operator_client.post(
        url,
        {"confirmation": "pool-vision", "reason": "Budget cut.", "submission_key": submission_key(edited)},
    )
    assert again.url == reverse("pools:change_request_detail", args=[filed.pk])
    assert ChangeRequest.objects.count() == 1 and ChangeRequest.objects.get().reason == "Project over."


def test_delete_pool_needs_a_reason(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision")
    response = operator_client.post(
        delete_pool_url(sandbox_connection, pool_id), {"confirmation": "pool-vision"}
    )
    assert response.context["form"].errors["reason"] == [forms.REASON_REQUIRED]


def test_missing_pool_is_a_404_with_a_banner(operator_client, sandbox_connection, sandbox):
    response = operator_client.get(delete_pool_url(sandbox_connection, f"pool-gone-{PROJECT_ID}"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "ModelArts.50015001" in html and 'class="banner error upstream-error"' in html
    assert "Request deletion" not in html


def test_upstream_failure_is_a_banner_not_a_500(operator_client, sandbox_connection, running_pool, sandbox):
    pool_id = running_pool("pool-vision")
    sandbox.faults.error(500, count=20)
    response = operator_client.get(delete_pool_url(sandbox_connection, pool_id))
    assert response.status_code == 502
    assert 'class="banner error upstream-error"' in response.content.decode()


def test_other_connection_ids_are_404(operator_client, sandbox_connection):
    assert operator_client.get(reverse("pools:delete_pool_request", args=[999999, "x"])).status_code == 404


def pool_page(client, connection, pool_id) -> str:
    return client.get(reverse("pools:pool_detail", args=[connection.pk, pool_id])).content.decode()


def test_a_failed_pool_offers_its_deletion_and_the_page_files_it(
    operator_client, sandbox_connection, sandbox
):
    """The incident: "Request deletion…" was offered on an Error pool, then refused as "not Running"."""
    sandbox.faults.fail_next_creates(1)
    pool_id = sandbox.create_pool(PROJECT_ID, pool_body("pool-broken"))["metadata"]["name"]
    sandbox.settle()
    url = delete_pool_url(sandbox_connection, pool_id)
    assert url in pool_page(operator_client, sandbox_connection, pool_id)

    key = submission_key(operator_client.get(url))
    response = operator_client.post(
        url, {"confirmation": "pool-broken", "reason": "Creation failed.", "submission_key": key}
    )

    assert response.status_code == 302 and ChangeRequest.objects.get().snapshot["phase"] == "Error"


def test_a_pool_being_deleted_offers_no_deletion(operator_client, sandbox_connection, running_pool, sandbox):
    pool_id = running_pool("pool-vision")
    operations.delete_pool(sandbox.store, PROJECT_ID, pool_id)  # someone deletes it in the console
    url = delete_pool_url(sandbox_connection, pool_id)

    assert url not in pool_page(operator_client, sandbox_connection, pool_id)
    response = operator_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "Pool pool-vision is already being deleted." in html
    assert 'name="confirmation"' not in html


def test_an_open_deletion_is_linked_to_not_filed_again(
    operator_client, operator, sandbox_connection, running_pool, django_user_model
):
    pool_id = running_pool("pool-vision")
    url = delete_pool_url(sandbox_connection, pool_id)
    form = {"confirmation": "pool-vision", "reason": "Project over."}
    first = operator_client.post(url, {**form, "submission_key": submission_key(operator_client.get(url))})
    filed = ChangeRequest.objects.get()
    detail = reverse("pools:change_request_detail", args=[filed.pk])
    assert first.url == detail

    page = pool_page(operator_client, sandbox_connection, pool_id)
    assert url not in page and f'href="{detail}" data-role="open-deletion"' in page
    confirm = operator_client.get(url).content.decode()
    assert f'<a href="{detail}">#{filed.pk}</a> already asks to delete this pool' in confirm
    assert 'name="confirmation"' not in confirm
    again = operator_client.post(url, {**form, "submission_key": "a" * 32}, follow=True)
    assert again.redirect_chain == [(detail, 302)]
    assert f"Change request #{filed.pk} already asks for this" in again.content.decode()

    other = Client()
    other.force_login(make_user(django_user_model, "olga-operator", permissions.OPERATOR))
    refused = other.post(url, {**form, "submission_key": "b" * 32})
    assert (
        refused.status_code == 200 and f"Change request #{filed.pk} already asks" in refused.content.decode()
    )
    assert ChangeRequest.objects.count() == 1


# --- delete nodes --------------------------------------------------------------------------------------------


def node_names(sandbox, pool_id):
    return sorted(node["metadata"]["name"] for node in sandbox.nodes(PROJECT_ID, pool_id))


def test_selection_is_shown_with_flavor_status_and_what_remains(
    operator_client, sandbox_connection, running_pool, sandbox
):
    pool_id = running_pool("pool-vision", count=4)
    names = node_names(sandbox, pool_id)
    response = operator_client.post(delete_nodes_url(sandbox_connection, pool_id), {"nodes": names[:2]})
    assert response.status_code == 200
    html = response.content.decode()
    for name in names[:2]:
        assert name in html
    assert names[2] not in html
    assert "modelarts.vm.gpu.t4u8" in html and "Available" in html
    assert "from <strong>4</strong> nodes to <strong>2</strong>" in html
    assert response.context["can_confirm"]
    assert 'name="reason"' in html
    assert ChangeRequest.objects.count() == 0  # arriving only shows the selection


def test_no_selection_is_refused(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision")
    response = operator_client.post(delete_nodes_url(sandbox_connection, pool_id), {})
    assert response.context["form"].errors["nodes"] == [forms.NO_NODES_SELECTED]
    assert not response.context["can_confirm"]
    get = operator_client.get(delete_nodes_url(sandbox_connection, pool_id))
    assert "No nodes selected" in get.content.decode()


def test_selecting_every_node_is_refused(operator_client, sandbox_connection, running_pool, sandbox):
    pool_id = running_pool("pool-vision", count=2)
    url = delete_nodes_url(sandbox_connection, pool_id)
    response = operator_client.post(url, {"nodes": node_names(sandbox, pool_id)})
    assert response.context["form"].errors["nodes"] == [forms.NOTHING_WOULD_REMAIN]
    assert not response.context["can_confirm"]
    confirmed = operator_client.post(
        url, {"nodes": node_names(sandbox, pool_id), "confirm": "1", "reason": "All of them."}
    )
    assert confirmed.status_code == 200
    assert ChangeRequest.objects.count() == 0


def test_unknown_node_names_are_refused(operator_client, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision")
    response = operator_client.post(
        delete_nodes_url(sandbox_connection, pool_id), {"nodes": ["os-node-nope"]}
    )
    assert response.context["form"].errors["nodes"] == [forms.UNKNOWN_NODES.format(names="os-node-nope")]


def test_confirming_files_one_request_with_the_node_names(
    operator_client, sandbox_connection, running_pool, sandbox
):
    pool_id = running_pool("pool-vision", count=3)
    names = node_names(sandbox, pool_id)
    url = delete_nodes_url(sandbox_connection, pool_id)
    arrival = operator_client.post(url, {"nodes": [names[1], names[0]]})
    key = submission_key(arrival)
    data = {"nodes": [names[1], names[0]], "confirm": "1", "submission_key": key}
    missing_reason = operator_client.post(url, data)
    assert missing_reason.context["form"].errors["reason"] == [forms.REASON_REQUIRED]
    response = operator_client.post(url, {**data, "reason": "Two nodes are idle."})
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pools:change_request_detail", args=[change_request.pk])
    assert change_request.kind == "delete_nodes"
    assert change_request.target == pool_id
    assert change_request.body == {"deleteNodeNames": [names[1], names[0]]}
    assert sandbox.calls("BatchDeletePoolNodes") == 0
    operator_client.post(url, {**data, "reason": "Two nodes are idle."})
    assert ChangeRequest.objects.count() == 1


# --- the buttons on the browse pages -------------------------------------------------------------------------


def test_pool_pages_offer_the_requests_only_to_requesters(
    operator_client, viewer, sandbox_connection, running_pool
):
    viewer_client = Client()  # operator_client and viewer_client would be one client with two logins
    viewer_client.force_login(viewer)
    pool_id = running_pool("pool-vision")
    pages = {
        reverse("pools:pool_list"): reverse("pools:pool_wizard_start"),
        reverse("pools:pool_detail", args=[sandbox_connection.pk, pool_id]): delete_pool_url(
            sandbox_connection, pool_id
        ),
        reverse(
            "pools:pool_nodes", args=[sandbox_connection.pk, pool_id]
        ): "Request deletion of the selected nodes",
    }
    for page, offered in pages.items():
        assert offered in operator_client.get(page).content.decode(), page
        assert offered not in viewer_client.get(page).content.decode(), page
    nodes_page = operator_client.get(
        reverse("pools:pool_nodes", args=[sandbox_connection.pk, pool_id])
    ).content.decode()
    assert f'action="{delete_nodes_url(sandbox_connection, pool_id)}"' in nodes_page
