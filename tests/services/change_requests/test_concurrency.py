"""Many people (or workers) acting on one request at the same moment: ModelArts sees exactly one change.

Real threads with their own database connections (``transactional_db``), released together by a barrier.
Runs on SQLite by default; with DATABASE_URL pointing at PostgreSQL it runs there.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connections

from pools import audit, permissions
from pools.core.errors import ApplicationError
from pools.models import ChangeRequest, ChangeRequestApproval
from pools.services import change_requests as svc
from pools.services.change_requests import decisions
from tests.fixtures.approvals import CREATE_POOL, DELETE_POOL, create_body
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]
THREADS = 8
Status = ChangeRequest.Status


@pytest.fixture
def approvers(django_user_model):
    permissions.ensure_roles()  # a transactional test starts from a flushed database
    group = Group.objects.get(name=permissions.APPROVER)
    users = []
    for i in range(THREADS):
        user = django_user_model.objects.create_user(f"approver-{i}", f"approver-{i}@example.test", PASSWORD)
        user.groups.add(group)
        users.append(django_user_model.objects.get(pk=user.pk))
    return users


def run_together(actions):
    """Run every callable in its own thread, all released at once; their results or exceptions."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        try:
            barrier.wait()
            return action()
        except (ApplicationError, PermissionDenied) as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))


def fresh(change_request):
    return ChangeRequest.objects.get(pk=change_request.pk)


def request_delete(operator, connection, pool):
    return svc.change_request_create(
        user=operator,
        connection=connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="concurrency",
        idempotency_key="once",
    )


def test_many_approvers_at_once_delete_the_pool_once(operator, approvers, cloud, cloud_connection):
    pool = cloud.add_pool("pool-race")
    cr = request_delete(operator, cloud_connection, pool)

    results = run_together(
        [
            lambda user=user: svc.change_request_approve(user=user, change_request=fresh(cr))
            for user in approvers
        ]
    )

    assert cloud.calls[DELETE_POOL] == 1
    assert fresh(cr).status == Status.SUCCEEDED
    assert ChangeRequestApproval.objects.filter(change_request=cr).count() == 1
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refusals) == THREADS - 1
    assert all("only a pending request can be approved" in r.message for r in refusals), [
        r.message for r in refusals
    ]
    assert audit.verify_chain().ok


def test_many_workers_executing_one_approved_request_call_once(operator, approvers, cloud, cloud_connection):
    pool = cloud.add_pool("pool-race")
    cr = request_delete(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=Status.APPROVED)

    results = run_together(
        [
            lambda user=user: svc.change_request_execute(user=user, change_request=fresh(cr))
            for user in approvers
        ]
    )

    assert cloud.calls[DELETE_POOL] == 1
    assert fresh(cr).status == Status.SUCCEEDED and fresh(cr).attempts == 1
    assert sum(isinstance(r, ApplicationError) for r in results) == THREADS - 1


def test_approvals_racing_executions_and_retries_create_once(operator, approvers, cloud, cloud_connection):
    cr = svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="create_pool",
        target="pool-race",
        body=create_body("pool-race"),
        reason="concurrency",
        idempotency_key="once",
    )
    half = THREADS // 2
    actions = [
        lambda user=user: svc.change_request_approve(user=user, change_request=fresh(cr))
        for user in approvers[:half]
    ]
    actions += [
        lambda user=user: svc.change_request_execute(user=user, change_request=fresh(cr))
        for user in approvers[half:]
    ]

    run_together(actions)

    assert cloud.calls[CREATE_POOL] == 1 and len(cloud.pools_named("pool-race")) == 1
    assert fresh(cr).status == Status.SUCCEEDED


def test_many_retries_of_a_failed_request_call_once(operator, approvers, cloud, cloud_connection):
    pool = cloud.add_pool("pool-race")
    cr = request_delete(operator, cloud_connection, pool)
    ChangeRequest.objects.filter(pk=cr.pk).update(status=Status.FAILED, attempts=1)

    results = run_together(
        [
            lambda user=user: svc.change_request_retry(user=user, change_request=fresh(cr))
            for user in approvers
        ]
    )

    assert cloud.calls[DELETE_POOL] == 1
    assert fresh(cr).status == Status.SUCCEEDED and fresh(cr).attempts == 2
    assert sum(isinstance(r, ApplicationError) for r in results) == THREADS - 1


def test_double_submitted_form_makes_one_request(operator, cloud, cloud_connection):
    pool = cloud.add_pool("pool-race")

    results = run_together([lambda: request_delete(operator, cloud_connection, pool)] * THREADS)

    assert ChangeRequest.objects.count() == 1
    assert {r.pk for r in results} == {ChangeRequest.objects.get().pk}


def test_the_same_change_filed_from_several_forms_at_once_makes_one_request(
    operator, cloud, cloud_connection
):
    pool = cloud.add_pool("pool-race")

    def file_with(key):
        return lambda: svc.change_request_create(
            user=operator,
            connection=cloud_connection,
            kind="delete_pool",
            target=pool,
            body=None,
            reason="concurrency",
            idempotency_key=key,
        )

    results = run_together([file_with(f"form-{n}") for n in range(THREADS)])

    filed = ChangeRequest.objects.get()
    assert [r.pk for r in results if isinstance(r, ChangeRequest)] == [filed.pk]
    assert all(isinstance(r, svc.OpenRequestExists) for r in results if not isinstance(r, ChangeRequest))


def test_a_form_submitted_twice_at_once_gets_the_request_the_other_submission_filed(
    operator, cloud, cloud_connection, monkeypatch
):
    pool = cloud.add_pool("pool-race")
    filed = request_delete(operator, cloud_connection, pool)
    # This submission looked for its key just before the other one stored the request.
    already_filed = decisions._already_filed
    looks = iter([None])
    monkeypatch.setattr(
        decisions, "_already_filed", lambda submission: next(looks, already_filed(submission))
    )

    assert request_delete(operator, cloud_connection, pool) == filed
    assert ChangeRequest.objects.count() == 1
