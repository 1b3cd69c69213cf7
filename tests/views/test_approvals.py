"""The approval pages: who may see and do what, htmx and plain-form decisions, re-authentication."""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pools import permissions
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.views import approvals as approvals_views
from tests.fixtures.approvals import CREATE_POOL, DELETE_POOL, create_body
from tests.fixtures.tasks import run_queued_tasks
from tests.fixtures.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def auditor(django_user_model):
    return make_user(django_user_model, "aud-auditor", permissions.AUDITOR)


@pytest.fixture
def pool(cloud):
    return cloud.add_pool("pool-demo", nodes=3)


@pytest.fixture
def pending(operator, cloud_connection, pool):
    return svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="Team disbanded",
        idempotency_key="k1",
    )


def as_user(client, user):
    client.force_login(user)
    return client


PAGES = ["pools:approval_queue", "pools:approval_history", "pools:my_requests"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("viewer", {"pools:approval_queue": 403, "pools:approval_history": 403, "pools:my_requests": 403}),
        ("nobody", {"pools:approval_queue": 403, "pools:approval_history": 403, "pools:my_requests": 403}),
        ("operator", {"pools:approval_queue": 403, "pools:approval_history": 403, "pools:my_requests": 200}),
        ("approver", {"pools:approval_queue": 200, "pools:approval_history": 200, "pools:my_requests": 403}),
        ("auditor", {"pools:approval_queue": 403, "pools:approval_history": 200, "pools:my_requests": 403}),
        (
            "administrator",
            {"pools:approval_queue": 200, "pools:approval_history": 200, "pools:my_requests": 200},
        ),
    ],
)
def test_page_permissions(request, client, role, expected, pending):
    as_user(client, request.getfixturevalue(role))
    assert {name: client.get(reverse(name)).status_code for name in PAGES} == expected


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("viewer", 403),
        ("nobody", 403),
        ("operator", 200),
        ("approver", 200),
        ("auditor", 200),
        ("administrator", 200),
    ],
)
def test_detail_permissions(request, client, role, status, pending):
    as_user(client, request.getfixturevalue(role))
    assert client.get(reverse("pools:change_request_detail", args=[pending.pk])).status_code == status


def test_anonymous_is_sent_to_login(client, pending):
    for url in [reverse(name) for name in PAGES] + [
        reverse("pools:change_request_detail", args=[pending.pk])
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_operator_sees_only_own_requests(client, django_user_model, pending):
    other = make_user(django_user_model, "olga-operator", permissions.OPERATOR)
    as_user(client, other)
    assert client.get(reverse("pools:change_request_detail", args=[pending.pk])).status_code == 404
    assert f"#{pending.pk}" not in client.get(reverse("pools:my_requests")).content.decode()


@pytest.mark.parametrize("action", ["approve", "reject", "retry", "execute"])
@pytest.mark.parametrize("role", ["viewer", "operator", "auditor"])
def test_decisions_are_refused_for_non_approvers(request, client, role, action, cloud, pending):
    as_user(client, request.getfixturevalue(role))
    response = client.post(
        reverse(f"pools:change_request_{action}", args=[pending.pk]), {"password": PASSWORD, "comment": "x"}
    )
    assert response.status_code == 403
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.PENDING
    assert cloud.calls[DELETE_POOL] == 0


def test_queue_shows_details_and_decision_forms(client, approver, pending, pool):
    page = as_user(client, approver).get(reverse("pools:approval_queue")).content.decode()
    assert f'id="cr-{pending.pk}"' in page
    assert f"Delete pool {pool}" in page and "Team disbanded" in page and "otto-operator" in page
    assert "0 of 1" in page
    assert reverse("pools:change_request_approve", args=[pending.pk]) in page
    assert 'name="password"' in page
    assert reverse("pools:change_request_revalidation", args=[pending.pk]) in page
    assert f"DELETE /v2/{{project_id}}/pools/{pool}" in page


def test_own_request_is_shown_without_buttons_and_refused_on_post(
    client, administrator, cloud, cloud_connection, pool
):
    own = svc.change_request_create(
        user=administrator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="mine",
        idempotency_key="own",
    )
    as_user(client, administrator)
    page = client.get(reverse("pools:approval_queue")).content.decode()
    assert f'id="cr-{own.pk}"' in page and "This is your own request" in page
    assert reverse("pools:change_request_approve", args=[own.pk]) not in page

    response = client.post(
        reverse("pools:change_request_approve", args=[own.pk]), {"password": PASSWORD}, **HTMX
    )
    assert response.status_code == 403
    assert ChangeRequest.objects.get(pk=own.pk).status == Status.PENDING and cloud.calls[DELETE_POOL] == 0


def test_htmx_approve_with_password_swaps_the_card(client, approver, cloud, pending, pool):
    response = as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]),
        {"password": PASSWORD, "comment": "go"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<article") and f'id="cr-{pending.pk}"' in html
    assert 'data-status="succeeded"' in html and cloud.request_id(DELETE_POOL) in html
    assert 'id="approvals-badge"' in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html
    assert cloud.calls[DELETE_POOL] == 1


def messages_oob(html: str) -> str:
    """The text of the out-of-band message area in an htmx answer ("" when there is none)."""
    found = re.search(r'<div id="messages"[^>]*hx-swap-oob="true">\n(.*)\n</div>', html)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


@pytest.mark.parametrize("decision", ["approve", "reject", "cancel", "retry"])
def test_every_decision_confirms_with_a_message_also_over_htmx(
    client, approver, operator, cloud, pending, decision
):
    expected = {
        "approve": f"You approved change request #{pending.pk}. ModelArts made the change: it succeeded.",
        "reject": f"You rejected change request #{pending.pk}.",
        "cancel": f"You cancelled change request #{pending.pk}.",
        "retry": f"You retried change request #{pending.pk}. ModelArts made the change: it succeeded.",
    }[decision]
    data = {"approve": {"password": PASSWORD}, "reject": {"comment": "No."}, "retry": {"password": PASSWORD}}
    if decision == "retry":
        cloud.fail_next(DELETE_POOL, 500)
        svc.change_request_approve(user=approver, change_request=pending)
    as_user(client, operator if decision == "cancel" else approver)
    url = reverse(f"pools:change_request_{decision}", args=[pending.pk])

    response = client.post(url, data.get(decision, {}), **HTMX)

    assert response.status_code == 200 and expected in messages_oob(response.content.decode())
    later = client.get(reverse("pools:change_request_detail", args=[pending.pk])).content.decode()
    assert expected not in later  # shown once, not again on the next page
    plain = client.post(url, data.get(decision, {}), follow=True)  # refused now: no confirmation
    assert "You " not in messages_oob(plain.content.decode()) and expected not in plain.content.decode()


def test_a_failed_execution_is_confirmed_as_a_warning(client, approver, cloud, pending):
    cloud.fail_next(DELETE_POOL, 500)
    response = as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]), {"password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert f'<div class="message warning">You approved change request #{pending.pk}. It failed;' in html


def test_a_decision_on_the_request_page_brings_its_history_up_to_date(client, approver, pending):
    detail = reverse("pools:change_request_detail", args=[pending.pk])
    as_user(client, approver)
    url = reverse("pools:change_request_approve", args=[pending.pk])

    on_detail = client.post(
        url, {"password": PASSWORD}, HTTP_HX_CURRENT_URL=f"http://testserver{detail}", **HTMX
    ).content.decode()

    timeline = on_detail[on_detail.index('id="cr-timeline" hx-swap-oob="true"') :]
    for step, words in (("approve", "Approved"), ("execute", "Run started"), ("succeed", "Succeeded")):
        assert f'<td data-action="{step}">{words}</td>' in timeline


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", ["Filed", "Approved", "Run started", "Succeeded"]),
        ("zh-hans", ["已提交", "已批准", "开始执行", "成功"]),
    ],
)
def test_the_history_names_each_step_in_the_readers_language(client, approver, pending, language, words):
    as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]), {"password": PASSWORD}
    )

    html = client.get(
        reverse("pools:change_request_detail", args=[pending.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    timeline = html[html.index('id="cr-timeline"') :]
    steps = re.findall(r'<td data-action="([a-z_]+)">([^<]*)</td>', timeline)
    assert steps == list(zip(["create", "approve", "execute", "succeed"], words, strict=True))


def test_a_decision_in_the_queue_sends_no_history(client, approver, pending):
    html = (
        as_user(client, approver)
        .post(
            reverse("pools:change_request_approve", args=[pending.pk]),
            {"password": PASSWORD},
            HTTP_HX_CURRENT_URL=f"http://testserver{reverse('pools:approval_queue')}",
            **HTMX,
        )
        .content.decode()
    )
    assert 'data-status="succeeded"' in html and "cr-timeline" not in html


def test_wrong_password_is_a_field_error_and_nothing_happens(client, approver, cloud, pending):
    response = as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]),
        {"password": "guess", "comment": "go"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.PENDING
    assert not pending.approvals.exists() and cloud.calls[DELETE_POOL] == 0

    plain = client.post(reverse("pools:change_request_approve", args=[pending.pk]), {"password": ""})
    assert plain.status_code == 400 and "<html" in plain.content.decode()


def test_plain_form_approve_redirects_to_the_detail(client, approver, pending):
    response = as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]), {"password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pools:change_request_detail", args=[pending.pk])
    page = client.get(response["Location"]).content.decode()
    assert "You approved change request" in page and "Succeeded" in page


def test_approve_after_reject_shows_a_banner(client, approver, second_approver, pending):
    svc.change_request_reject(user=second_approver, change_request=pending, comment="no")
    response = as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]), {"password": PASSWORD}, **HTMX
    )
    assert response.status_code == 200
    assert "is rejected; only a pending request can be approved" in response.content.decode()


def test_reject_needs_a_comment(client, approver, pending):
    as_user(client, approver)
    url = reverse("pools:change_request_reject", args=[pending.pk])
    response = client.post(url, {"comment": ""}, **HTMX)
    assert "Say why you reject this request." in response.content.decode()
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.PENDING

    response = client.post(url, {"comment": "Jobs still run"}, **HTMX)
    assert 'data-status="rejected"' in response.content.decode()


def test_cancel_own_pending_request(client, operator, pending):
    response = as_user(client, operator).post(
        reverse("pools:change_request_cancel", args=[pending.pk]), **HTMX
    )
    assert response.status_code == 200 and 'data-status="cancelled"' in response.content.decode()


def test_cancel_by_someone_else_is_refused(client, administrator, pending):
    response = as_user(client, administrator).post(reverse("pools:change_request_cancel", args=[pending.pk]))
    assert response.status_code == 403
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.PENDING


def test_failed_request_shows_result_and_retry(client, approver, cloud, pending):
    cloud.fail_next(DELETE_POOL, 500)
    svc.change_request_approve(user=approver, change_request=pending)

    page = (
        as_user(client, approver)
        .get(reverse("pools:change_request_detail", args=[pending.pk]))
        .content.decode()
    )
    assert "ModelArts.50005000" in page and cloud.request_id(DELETE_POOL) in page and "internal error" in page
    assert reverse("pools:change_request_retry", args=[pending.pk]) in page

    response = client.post(
        reverse("pools:change_request_retry", args=[pending.pk]), {"password": PASSWORD}, **HTMX
    )
    assert 'data-status="succeeded"' in response.content.decode()
    assert cloud.calls[DELETE_POOL] == 2

    again = client.post(
        reverse("pools:change_request_retry", args=[pending.pk]), {"password": PASSWORD}, **HTMX
    )
    assert "only a failed request, or one whose outcome is unknown, can be retried" in again.content.decode()
    assert cloud.calls[DELETE_POOL] == 2


@pytest.mark.parametrize("password", ["", "guess"])
def test_retry_needs_the_password_again(client, approver, cloud, pending, password):
    cloud.fail_next(DELETE_POOL, 500)
    svc.change_request_approve(user=approver, change_request=pending)
    url = reverse("pools:change_request_retry", args=[pending.pk])

    response = as_user(client, approver).post(url, {"password": password}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and 'data-field="password"' in html
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.FAILED
    assert cloud.calls[DELETE_POOL] == 1
    plain = client.post(url, {"password": password})
    assert plain.status_code == 400 and cloud.calls[DELETE_POOL] == 1
    if password:
        assert "That is not your password. Running a change needs your password again." in html


def test_execute_now_is_offered_once_no_worker_took_the_run_for_a_while(client, approver, pending):
    ChangeRequest.objects.filter(pk=pending.pk).update(status=Status.APPROVED, updated_at=timezone.now())
    detail = reverse("pools:change_request_detail", args=[pending.pk])
    just_queued = as_user(client, approver).get(detail).content.decode()
    assert "Queued" in just_queued and 'id="run-password-' not in just_queued
    assert "No worker has taken it" not in just_queued

    waited = timezone.now() - approvals_views.QUEUED_LONG - timedelta(seconds=1)
    ChangeRequest.objects.filter(pk=pending.pk).update(updated_at=waited)
    waiting = client.get(detail).content.decode()
    assert "No worker has taken it" in waiting and 'id="run-password-' in waiting


def test_execute_needs_the_password_again(client, approver, cloud, pending):
    # Approved, and no worker took its run for minutes (none is running, or a crash lost the run).
    ChangeRequest.objects.filter(pk=pending.pk).update(
        status=Status.APPROVED, updated_at=timezone.now() - timedelta(minutes=5)
    )
    url = reverse("pools:change_request_execute", args=[pending.pk])
    page = as_user(client, approver).get(reverse("pools:change_request_detail", args=[pending.pk]))
    assert 'id="run-password-' in page.content.decode()

    refused = client.post(url, {"password": "guess"}, **HTMX)
    assert "That is not your password." in refused.content.decode() and cloud.calls[DELETE_POOL] == 0

    done = client.post(url, {"password": PASSWORD}, **HTMX)
    assert 'data-status="succeeded"' in done.content.decode() and cloud.calls[DELETE_POOL] == 1


def test_an_expired_failed_request_is_not_offered_and_cannot_be_retried(
    client, approver, second_approver, cloud, pending
):
    """The incident: another approver retried an 11-month-old failed request."""
    cloud.fail_next(DELETE_POOL, 500)
    svc.change_request_approve(user=approver, change_request=pending)
    eleven_months_ago = timezone.now() - timedelta(days=330)
    ChangeRequest.objects.filter(pk=pending.pk).update(
        created_at=eleven_months_ago, expires_at=eleven_months_ago + timedelta(hours=72)
    )
    as_user(client, second_approver)

    page = client.get(reverse("pools:change_request_detail", args=[pending.pk])).content.decode()
    assert reverse("pools:change_request_retry", args=[pending.pk]) not in page
    assert "it can no longer be run" in page
    response = client.post(
        reverse("pools:change_request_retry", args=[pending.pk]), {"password": PASSWORD}, **HTMX
    )

    assert "expired on" in response.content.decode() and "can no longer be run" in response.content.decode()
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.FAILED
    assert cloud.calls[DELETE_POOL] == 1


def test_a_lost_create_shows_outcome_unknown_and_an_immediate_retry_sends_nothing(
    client, approver, operator, cloud, cloud_connection, impatient_client
):
    cr = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="create_pool",
        target="pool-vision",
        body=create_body("pool-vision"),
        reason="GPUs",
        idempotency_key="create",
    )
    cloud.sandbox.faults.latency(
        4000, count=1, operation=CREATE_POOL
    )  # applied, but after the client gave up
    as_user(client, approver)

    approved = client.post(
        reverse("pools:change_request_approve", args=[cr.pk]), {"password": PASSWORD}, **HTMX
    ).content.decode()
    assert 'data-status="unknown"' in approved and "Outcome unknown" in approved
    assert "Check and retry" in approved and 'data-role="outcome"' in approved
    assert "Its outcome is unknown" in messages_oob(approved)

    retried = client.post(
        reverse("pools:change_request_retry", args=[cr.pk]), {"password": PASSWORD}, **HTMX
    ).content.decode()
    assert "Nothing was sent: ModelArts shows no sign" in retried and 'data-status="unknown"' in retried

    cloud.wait_for_call(CREATE_POOL)
    assert cloud.calls[CREATE_POOL] == 1
    settled = client.post(
        reverse("pools:change_request_retry", args=[cr.pk]), {"password": PASSWORD}, **HTMX
    ).content.decode()
    assert 'data-status="succeeded"' in settled and cloud.calls[CREATE_POOL] == 1


def test_retry_is_not_offered_to_the_requester(
    client, administrator, approver, cloud, cloud_connection, pool
):
    cr = svc.change_request_create(
        user=administrator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="r",
        idempotency_key="x",
    )
    cloud.fail_next(DELETE_POOL, 500)
    svc.change_request_approve(user=approver, change_request=cr)
    page = (
        as_user(client, administrator)
        .get(reverse("pools:change_request_detail", args=[cr.pk]))
        .content.decode()
    )
    assert "Failed" in page and reverse("pools:change_request_retry", args=[cr.pk]) not in page


def test_revalidation_shows_problems_and_changes(client, approver, cloud, pending, pool):
    cloud.delete_pool_elsewhere(pool)
    response = as_user(client, approver).get(
        reverse("pools:change_request_revalidation", args=[pending.pk]), **HTMX
    )
    html = response.content.decode()
    assert f"Pool {pool} is already being deleted." in html
    assert "Pool phase: Running → Deleting." in html


def test_a_request_the_live_state_no_longer_allows_offers_reject_or_cancel_not_approve(
    client, approver, operator, cloud, pending, pool
):
    """The incident: a second request for a pool deleted by the first still offered Approve, and failed."""
    cloud.delete_pool_elsewhere(pool)
    url = reverse("pools:change_request_revalidation", args=[pending.pk])

    for_approver = as_user(client, approver).get(url, **HTMX).content.decode()
    assert f'id="cr-{pending.pk}-actions" hx-swap-oob="true"' in for_approver
    assert reverse("pools:change_request_approve", args=[pending.pk]) not in for_approver
    assert "This change can no longer be made, so it cannot be approved." in for_approver
    assert reverse("pools:change_request_reject", args=[pending.pk]) in for_approver
    assert (
        f"The live state no longer allows this change: Pool {pool} is already being deleted." in for_approver
    )

    for_requester = as_user(client, operator).get(url, **HTMX).content.decode()
    assert reverse("pools:change_request_cancel", args=[pending.pk]) in for_requester
    assert reverse("pools:change_request_approve", args=[pending.pk]) not in for_requester

    # An Approve from a page loaded before is refused too, and the request stays to be closed.
    response = as_user(client, approver).post(
        reverse("pools:change_request_approve", args=[pending.pk]), {"password": PASSWORD}, **HTMX
    )
    assert "Not approved: the live state no longer allows this change." in response.content.decode()
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.PENDING
    assert cloud.calls[DELETE_POOL] == 0


def test_revalidation_that_allows_the_change_leaves_the_actions_alone(client, approver, pending):
    html = (
        as_user(client, approver)
        .get(reverse("pools:change_request_revalidation", args=[pending.pk]), **HTMX)
        .content.decode()
    )
    assert "the change can be made" in html and "hx-swap-oob" not in html


def test_revalidation_upstream_error_is_a_banner(client, approver, cloud, pending):
    cloud.fail_next("ShowPool", 500)
    response = as_user(client, approver).get(
        reverse("pools:change_request_revalidation", args=[pending.pk]), **HTMX
    )
    html = response.content.decode()
    assert (
        response.status_code == 200 and "ModelArts.50005000" in html and cloud.request_id("ShowPool") in html
    )


def test_history_filters_by_status_and_kind(
    client, approver, second_approver, operator, cloud, cloud_connection
):
    first = cloud.add_pool("pool-a")
    second = cloud.add_pool("pool-b")
    rejected = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=first,
        body=None,
        reason="r",
        idempotency_key="a",
    )
    done = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=second,
        body=None,
        reason="r",
        idempotency_key="b",
    )
    svc.change_request_reject(user=approver, change_request=rejected, comment="no")
    svc.change_request_approve(user=second_approver, change_request=done)
    as_user(client, approver)

    everything = client.get(reverse("pools:approval_history")).content.decode()
    assert f"cr-row-{rejected.pk}" in everything and f"cr-row-{done.pk}" in everything
    only_rejected = client.get(
        reverse("pools:approval_history"), {"status": "rejected"}, **HTMX
    ).content.decode()
    assert f"cr-row-{rejected.pk}" in only_rejected and f"cr-row-{done.pk}" not in only_rejected
    assert "<html" not in only_rejected
    creates = client.get(reverse("pools:approval_history"), {"kind": "create_pool"}).content.decode()
    assert "No change requests match." in creates


def test_comment_on_detail_page(client, operator, pending):
    as_user(client, operator)
    url = reverse("pools:change_request_comment", args=[pending.pk])
    response = client.post(url, {"text": "Backed up in OBS."}, **HTMX)
    assert response.status_code == 200 and "Backed up in OBS." in response.content.decode()
    empty = client.post(url, {"text": ""}, **HTMX)
    assert "Write a comment first." in empty.content.decode()
    plain = client.post(url, {"text": "again"})
    assert plain.status_code == 302


def test_nav_shows_approvals_badge_and_my_requests(client, approver, operator, administrator, pending):
    page = as_user(client, approver).get(reverse("pools:overview")).content.decode()
    assert reverse("pools:approval_queue") in page and 'id="approvals-badge"' in page
    assert ">1</span>" in page and reverse("pools:my_requests") not in page

    page = as_user(client, operator).get(reverse("pools:overview")).content.decode()
    assert reverse("pools:my_requests") in page and reverse("pools:approval_queue") not in page

    page = as_user(client, administrator).get(reverse("pools:overview")).content.decode()
    assert reverse("pools:my_requests") in page and reverse("pools:approval_queue") in page


def test_detail_shows_timeline(client, approver, pending):
    svc.change_request_comment(user=approver, change_request=pending, text="checking")
    page = (
        as_user(client, approver)
        .get(reverse("pools:change_request_detail", args=[pending.pk]))
        .content.decode()
    )
    assert "create" in page and "comment" in page and "checking" in page


def test_opening_pages_writes_and_sends_nothing_for_overdue_requests_which_the_job_then_expires(
    client, approver, operator, cloud, cloud_connection, pending, pool
):
    """The incident: opening the history e-mailed people, since reading a list expired overdue requests."""
    from django.contrib.admin.models import LogEntry
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pools.services.change_requests import process_change_requests

    ChangeRequest.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    stored = ChangeRequest.objects.filter(pk=pending.pk).values().get()
    entries = LogEntry.objects.count()
    mail.outbox.clear()
    detail = reverse("pools:change_request_detail", args=[pending.pk])
    pages = {
        approver: [reverse("pools:approval_queue"), reverse("pools:approval_history"), detail],
        operator: [
            reverse("pools:my_requests"),
            detail,
            reverse("pools:pool_detail", args=[cloud_connection.pk, pool]),
        ],
    }

    clients = {approver: as_user(client, approver), operator: as_user(Client(), operator)}  # logged in first

    seen = {}
    with CaptureQueriesContext(connection) as queries:
        for user, urls in pages.items():
            for url in urls:
                response = clients[user].get(url)
                assert response.status_code == 200, url
                seen[(user.username, url)] = response.content.decode()

    writes = [
        query["sql"]
        for query in queries
        if query["sql"].split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in query["sql"]
    ]
    assert writes == []
    assert ChangeRequest.objects.filter(pk=pending.pk).values().get() == stored
    assert LogEntry.objects.count() == entries and mail.outbox == []
    # Shown as expired: out of the queue and its badge, in the history, no decision offered.
    queue = seen[(approver.username, reverse("pools:approval_queue"))]
    assert f'id="cr-{pending.pk}"' not in queue and "Nothing waits for approval." in queue
    assert re.search(r'id="approvals-badge"[^>]*>0</span>', queue)  # nothing awaits a decision
    history = seen[(approver.username, reverse("pools:approval_history"))]
    assert f"cr-row-{pending.pk}" in history and '<span class="badge muted">Expired</span>' in history
    for user in (approver, operator):
        page = seen[(user.username, detail)]
        assert 'data-status="expired"' in page and "Decision</dt><dd>Expired" in page
        assert reverse("pools:change_request_approve", args=[pending.pk]) not in page
        assert reverse("pools:change_request_cancel", args=[pending.pk]) not in page
    assert (
        '<span class="badge muted">Expired</span>' in seen[(operator.username, reverse("pools:my_requests"))]
    )

    summary = process_change_requests()

    assert summary.expired == [pending.pk]
    assert ChangeRequest.objects.get(pk=pending.pk).status == Status.EXPIRED
    assert LogEntry.objects.count() == entries + 1
    assert [m.to for m in mail.outbox] == [[operator.email]] and "Expired" in mail.outbox[0].subject


@pytest.mark.usefixtures("database_tasks")
def test_approving_returns_before_a_slow_modelarts_answers_and_the_card_follows_the_worker(
    client, approver, cloud, pending
):
    latency_seconds = 2.0
    cloud.sandbox.faults.latency(int(latency_seconds * 1000), operation=DELETE_POOL)
    as_user(client, approver)
    detail = reverse("pools:change_request_detail", args=[pending.pk])

    started = time.monotonic()
    approved = client.post(
        reverse("pools:change_request_approve", args=[pending.pk]), {"password": PASSWORD}, **HTMX
    ).content.decode()
    answered_in = time.monotonic() - started

    assert answered_in < latency_seconds and cloud.calls[DELETE_POOL] == 0
    assert 'data-status="approved"' in approved and 'data-role="run-state"' in approved
    assert f'hx-get="{detail}?shown=approved-0"' in approved and "Its run is queued" in messages_oob(approved)
    unchanged = client.get(detail, {"shown": "approved-0"}, **HTMX)
    assert unchanged.status_code == 204 and not unchanged.content  # still queued: nothing to swap

    started = time.monotonic()
    assert run_queued_tasks() == 1
    assert time.monotonic() - started >= latency_seconds and cloud.calls[DELETE_POOL] == 1

    on_its_page = {**HTMX, "HTTP_HX_CURRENT_URL": f"http://testserver{detail}"}
    polled = client.get(detail, {"shown": "approved-0"}, **on_its_page).content.decode()
    assert 'data-status="succeeded"' in polled and 'data-role="run-state"' not in polled
    assert 'id="cr-timeline"' in polled and "succeed" in polled  # its history, out of band
    assert client.get(detail).content.decode().count('id="cr-timeline"') == 1  # a plain GET: the page
