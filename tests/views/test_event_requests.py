"""The accept-maintenance request page: the event shown with its window, HARD warned, field errors, filing."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from pools.change_kinds.accept_event import HARD_NOTE
from pools.forms.accept_event import HARD_NOT_CONFIRMED, HARD_WARNING, NOT_BEFORE_PASSED
from pools.models import ChangeRequest
from pools.sandbox import maintenance
from tests.fixtures.sandbox import PROJECT_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def accept_url(seeded_sandbox, sandbox_connection, locmem_cache):
    listed = maintenance.list_scheduled_events(seeded_sandbox.store, PROJECT_ID, {"state": "inquiring"})
    event = listed["events"][0]
    return reverse(
        "pools:accept_event_request",
        kwargs={
            "connection_id": sandbox_connection.pk,
            "pool_name": event["poolName"],
            "event_id": event["id"],
        },
    )


def test_the_page_warns_that_a_hard_redeploy_wipes_the_disks(operator_client, accept_url):
    html = operator_client.get(accept_url).content.decode()

    assert str(HARD_WARNING) in html
    assert "system-maintenance" in html
    assert 'type="datetime-local"' in html and 'max="' in html


def test_field_errors_for_a_past_start_and_an_unconfirmed_hard_redeploy(operator_client, accept_url):
    response = operator_client.post(
        accept_url, {"not_before": "2020-01-01T00:00", "redeploy": "HARD", "reason": "disk", "workspace": "0"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert str(NOT_BEFORE_PASSED) in html
    assert escape(str(HARD_NOT_CONFIRMED)) in html
    assert not ChangeRequest.objects.exists()


def test_filing_goes_to_the_request_page_which_marks_the_hard_redeploy(operator_client, accept_url):
    response = operator_client.post(
        accept_url,
        {"redeploy": "HARD", "confirm_wipe": "on", "reason": "NPU card replacement", "workspace": "0"},
    )

    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pools:change_request_detail", args=[change_request.pk])
    assert change_request.kind == "accept_event"
    page = operator_client.get(response.url).content.decode()
    assert str(HARD_NOTE) in page
    assert escape("HARD redeploy (wipes the node's disks)") in page


def test_the_approval_card_shows_the_call_s_note_once(operator_client, approver, accept_url):
    operator_client.post(
        accept_url,
        {"redeploy": "HARD", "confirm_wipe": "on", "reason": "NPU card replacement", "workspace": "0"},
    )
    operator_client.force_login(approver)

    queue = operator_client.get(reverse("pools:approval_queue")).content.decode()
    detail = operator_client.get(
        reverse("pools:change_request_detail", args=[ChangeRequest.objects.get().pk])
    ).content.decode()

    assert queue.count(str(HARD_NOTE)) == 1 and detail.count(str(HARD_NOTE)) == 1
    assert 'class="banner warn call-note"' in queue


def test_an_unknown_event_or_workspace_is_a_404(operator_client, accept_url):
    assert operator_client.get(accept_url.replace("/events/se-", "/events/se-0")).status_code == 404
    assert operator_client.get(accept_url, {"workspace": "../x"}).status_code == 404
