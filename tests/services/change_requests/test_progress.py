"""Changes ModelArts completes later: accepted → in progress → followed (by the scheduled job or the request
page's "Check now") until complete, failed, or timed out; after a lost answer, found under way and followed,
never sent again.

The kind here is a stand-in registered for the test (the framework is what is tested): its call reads the
pool (so it really goes to the sandbox) and ModelArts' progress is scripted.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from pools import change_kinds
from pools.change_kinds import (
    DONE,
    FAILED,
    MISSING,
    PENDING,
    CallDescription,
    Called,
    ChangeKind,
    Observation,
)
from pools.core.errors import ApplicationError
from pools.modelarts.errors import OutcomeUnknownError
from pools.models import ChangeRequest
from pools.services import change_requests as svc
from pools.services.change_requests import messages
from tests.services.change_requests.helpers import actions_of

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status
KIND = "scale_pool"


class SlowChange(ChangeKind):
    """A change ModelArts takes a while to complete; ``script`` is what each look finds."""

    name = KIND
    label = "Slow change"

    def __init__(self):
        self.script: list[Observation] = []
        self.calls = 0

    def describe(self, change_request) -> CallDescription:
        return CallDescription("PATCH", f"/v2/{{project_id}}/pools/{change_request.target}", {"spec": {}})

    def call(self, client, change_request) -> Called:
        self.calls += 1
        pool = client.show_pool(change_request.target)
        return Called(pool.name, pool.request_id, follow={"ticket": "t-1"})

    def observe(self, client, change_request) -> Observation:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


@pytest.fixture
def slow(monkeypatch):
    kind = SlowChange()
    monkeypatch.setitem(change_kinds.KINDS, KIND, kind)
    return kind


@pytest.fixture
def accepted(slow, operator, approver, cloud, cloud_connection):
    pool = cloud.add_pool("pool-slow", nodes=2)
    cr = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind=KIND,
        target=pool,
        body=None,
        reason="More GPUs for the sprint",
        idempotency_key="k-slow",
    )
    svc.change_request_approve(user=approver, change_request=cr)
    cr.refresh_from_db()
    return cr


def test_an_accepted_change_is_in_progress_with_what_following_it_needs(accepted, slow):
    assert accepted.status == Status.IN_PROGRESS
    assert accepted.tracking == {"ticket": "t-1"}
    assert accepted.result_message == messages.ACCEPTED_IN_PROGRESS
    assert accepted.is_open and slow.calls == 1
    assert actions_of(accepted)[-1] == "change_request.in_progress"
    assert accepted.call_description.method == "PATCH"


def test_the_scheduled_job_follows_it_until_complete(accepted, slow):
    slow.script = [Observation(PENDING, progress="1 of 3 nodes ready")]
    summary = svc.process_change_requests()
    accepted.refresh_from_db()
    assert summary.followed == {accepted.pk: Status.IN_PROGRESS}
    assert accepted.status == Status.IN_PROGRESS
    assert accepted.result_message == messages.IN_PROGRESS_NOW.format(progress="1 of 3 nodes ready")
    assert accepted.progress_checked_at is not None
    assert actions_of(accepted)[-1] == "change_request.in_progress"  # a look is not an audit entry

    slow.script = [Observation(DONE, progress="3 of 3 nodes ready")]
    svc.process_change_requests()
    accepted.refresh_from_db()
    assert accepted.status == Status.SUCCEEDED
    assert accepted.result_message == messages.COMPLETED.format(progress="3 of 3 nodes ready")
    assert actions_of(accepted)[-1] == "change_request.succeed"
    assert slow.calls == 1


def test_a_change_that_fails_at_modelarts_is_failed_with_its_reason(accepted, slow):
    slow.script = [Observation(FAILED, progress="order partially failed: 1 node not created")]
    svc.process_change_requests()
    accepted.refresh_from_db()
    assert accepted.status == Status.FAILED
    assert "order partially failed: 1 node not created" in accepted.result_message
    assert actions_of(accepted)[-1] == "change_request.fail"


def test_a_change_still_not_complete_after_the_timeout_is_failed(accepted, slow, settings):
    settings.CHANGE_REQUEST_FOLLOW_TIMEOUT_MINUTES = 30
    ChangeRequest.objects.filter(pk=accepted.pk).update(
        execution_started_at=timezone.now() - timedelta(minutes=31)
    )
    slow.script = [Observation(MISSING)]
    svc.process_change_requests()
    accepted.refresh_from_db()
    assert accepted.status == Status.FAILED
    assert accepted.result_message.startswith("ModelArts did not complete the change within 30 min")


def test_check_now_is_for_the_requester_and_approvers(accepted, slow, operator, django_user_model):
    slow.script = [Observation(DONE, progress="done")]
    other_operator = django_user_model.objects.create_user("op2", password="x")
    other_operator.groups.set(operator.groups.all())
    with pytest.raises(PermissionDenied):
        svc.change_request_check_progress(user=other_operator, change_request=accepted)
    assert svc.change_request_check_progress(user=operator, change_request=accepted) == Status.SUCCEEDED
    with pytest.raises(ApplicationError, match="only a change in progress can be checked"):
        svc.change_request_check_progress(user=operator, change_request=accepted)


def test_a_lost_answer_found_under_way_is_followed_not_resent(
    slow, operator, approver, cloud, cloud_connection
):
    pool = cloud.add_pool("pool-lost", nodes=2)
    slow.script = [Observation(PENDING, pool, progress="order paid, nodes starting")]
    cr = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind=KIND,
        target=pool,
        body=None,
        reason="More GPUs",
        idempotency_key="k-lost",
    )
    original_call = slow.call

    def call_losing_its_answer(client, change_request):
        original_call(client, change_request)  # it reached ModelArts ...
        raise OutcomeUnknownError(operation="PatchPool", error_msg="read timed out")  # ... the answer did not

    slow.call = call_losing_its_answer
    svc.change_request_approve(user=approver, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == Status.IN_PROGRESS
    assert cr.result_message.startswith("ModelArts shows the change under way")
    assert slow.calls == 1
