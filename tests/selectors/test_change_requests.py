"""Reads of change requests (pools/selectors/change_requests.py): a pending request past its expiry reads as
expired, and reading it changes nothing (no row, no audit entry, no e-mail)."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.utils import timezone

from pools.models import ChangeRequest
from pools.selectors.change_requests import (
    change_request_get,
    change_request_list,
    open_change_requests_by_pool,
    open_duplicate,
    pending_approval_count,
)

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


def delete_request(connection, user, *, pool="pool-a", key="k1", expires_in=timedelta(hours=1)):
    return ChangeRequest.objects.create(
        connection=connection,
        kind=ChangeRequest.Kind.DELETE_POOL,
        target=pool,
        reason="Done with it.",
        requested_by=user,
        idempotency_key=key,
        expires_at=timezone.now() + expires_in,
    )


@pytest.fixture
def overdue(connection, operator):
    return delete_request(connection, operator, pool="pool-old", key="old", expires_in=-timedelta(minutes=1))


@pytest.fixture
def waiting(connection, operator):
    return delete_request(connection, operator, pool="pool-new", key="new")


def row(change_request):
    return ChangeRequest.objects.filter(pk=change_request.pk).values().get()


def test_a_pending_request_past_its_expiry_reads_as_expired_and_is_left_as_it_is(overdue, approver):
    stored = row(overdue)

    read = change_request_get(pk=overdue.pk, user=approver)

    assert read.current_status == Status.EXPIRED and read.get_current_status_display() == "Expired"
    assert read.decision == "Expired"
    assert row(overdue) == stored
    assert not LogEntry.objects.exists() and mail.outbox == []


def test_lists_match_the_status_as_of_now(overdue, waiting, approver, operator):
    def listed(**filters):
        return [cr.pk for cr in change_request_list(user=approver, **filters)]

    assert listed(status=Status.PENDING) == [waiting.pk]
    assert listed(status=Status.EXPIRED) == [overdue.pk]
    assert listed(status=[Status.EXPIRED, Status.PENDING]) == [waiting.pk, overdue.pk]
    assert listed(awaiting_user=True) == [waiting.pk]
    assert pending_approval_count(user=approver) == 1
    assert [cr.pk for cr in change_request_list(user=operator, mine=True, status=Status.PENDING)] == [
        waiting.pk
    ]
    assert ChangeRequest.objects.get(pk=overdue.pk).status == Status.PENDING  # as stored: nothing expired it
    assert not LogEntry.objects.exists() and mail.outbox == []


def test_an_overdue_request_no_longer_holds_its_pool(overdue, waiting, connection):
    assert list(open_change_requests_by_pool(connection)) == ["pool-new"]
    assert open_duplicate(connection=connection, kind="delete_pool", target="pool-old", body=None) is None
    assert open_duplicate(connection=connection, kind="delete_pool", target="pool-new", body=None) == waiting
    assert ChangeRequest.objects.get(pk=overdue.pk).status == Status.PENDING
