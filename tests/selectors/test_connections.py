import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from pools.models import UserPreference
from pools.selectors.connections import connection_list_for, current_connection
from pools.services.connections import connection_choose

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_users_with_dashboard_access_may_use_every_connection_by_name(viewer, make_connection):
    make_connection("zeta")
    make_connection("alpha")
    assert [c.name for c in connection_list_for(viewer)] == ["alpha", "zeta"]


def test_users_without_a_role_and_anonymous_users_get_none(nobody, make_connection):
    make_connection("alpha")
    assert not connection_list_for(nobody).exists()
    assert not connection_list_for(AnonymousUser()).exists()
    assert current_connection(request_for(AnonymousUser())) is None


def test_current_connection_is_the_chosen_one_else_the_first(viewer, make_connection):
    assert current_connection(request_for(viewer)) is None
    alpha, zeta = make_connection("alpha"), make_connection("zeta")
    assert current_connection(request_for(viewer)) == alpha
    connection_choose(user=viewer, connection=zeta)
    assert current_connection(request_for(viewer)) == zeta
    zeta.delete()
    assert UserPreference.objects.get(user=viewer).connection is None
    assert current_connection(request_for(viewer)) == alpha


def test_current_connection_is_computed_once_per_request(viewer, make_connection, django_assert_num_queries):
    make_connection("alpha")
    request = request_for(viewer)
    current_connection(request)
    with django_assert_num_queries(0):
        assert current_connection(request).name == "alpha"
