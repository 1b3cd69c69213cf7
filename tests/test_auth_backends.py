"""Permission sets from the cache: no queries once read, and any change through the ORM applies at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pools.permissions import REQUEST_CHANGE, VIEW_DASHBOARD, VIEWER

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it (no per-object permission cache)."""
    return get_user_model().objects.get(pk=user.pk)


def test_a_second_request_reads_the_permissions_from_the_cache(viewer):
    assert fresh(viewer).has_perm(VIEW_DASHBOARD)
    again = fresh(viewer)

    with CaptureQueriesContext(connection) as queries:
        assert again.has_perm(VIEW_DASHBOARD)
        assert not again.has_perm(REQUEST_CHANGE)

    assert len(queries) == 0


def test_leaving_a_group_applies_to_the_next_request(viewer):
    assert fresh(viewer).has_perm(VIEW_DASHBOARD)

    viewer.groups.clear()

    assert not fresh(viewer).has_perm(VIEW_DASHBOARD)


def test_a_permission_taken_from_a_group_applies_to_the_next_request(viewer):
    assert fresh(viewer).has_perm(VIEW_DASHBOARD)

    codename = VIEW_DASHBOARD.split(".")[1]
    Group.objects.get(name=VIEWER).permissions.remove(Permission.objects.get(codename=codename))

    assert not fresh(viewer).has_perm(VIEW_DASHBOARD)


def test_a_permission_given_to_the_user_applies_to_the_next_request(viewer):
    assert not fresh(viewer).has_perm(REQUEST_CHANGE)

    viewer.user_permissions.add(Permission.objects.get(codename=REQUEST_CHANGE.split(".")[1]))

    assert fresh(viewer).has_perm(REQUEST_CHANGE)


def test_a_deactivated_user_has_no_permissions_even_when_cached(viewer):
    assert fresh(viewer).has_perm(VIEW_DASHBOARD)
    get_user_model().objects.filter(pk=viewer.pk).update(is_active=False)  # no signal: the cache stays

    assert not fresh(viewer).has_perm(VIEW_DASHBOARD)


def test_a_new_user_with_a_reused_id_does_not_inherit_a_cached_set(viewer, django_user_model):
    assert fresh(viewer).has_perm(VIEW_DASHBOARD)
    pk = viewer.pk
    django_user_model.objects.filter(pk=pk).delete()  # no history, so it may go

    newcomer = django_user_model.objects.create_user(username="newcomer", pk=pk)

    assert not fresh(newcomer).has_perm(VIEW_DASHBOARD)


def test_a_log_in_keeps_everyones_cached_permissions(viewer, operator):
    from django.contrib.auth.models import update_last_login

    assert fresh(viewer).has_perm(VIEW_DASHBOARD)

    update_last_login(None, operator)  # what every log-in does
    again = fresh(viewer)

    with CaptureQueriesContext(connection) as queries:
        assert again.has_perm(VIEW_DASHBOARD)
    assert len(queries) == 0
