import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pools.models import Connection
from pools.services.demo import DEMO_CONNECTION_NAME, DEMO_USERS, demo_users_ensure

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_users_in_their_roles_and_a_connection(sandbox, capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests-1")
    call_command("seed_demo", "--sandbox-url", sandbox.url)
    out = capsys.readouterr().out
    assert "demo-pass-for-tests-1" in out
    for username, role, is_staff in DEMO_USERS:
        user = get_user_model().objects.get(username=username)
        assert user.check_password("demo-pass-for-tests-1")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff is is_staff
    connection = Connection.objects.get(name=DEMO_CONNECTION_NAME)
    assert connection.endpoint == sandbox.url
    assert "sandbox-demo-secret" not in connection.secret_key_token


def test_running_it_again_keeps_passwords_and_updates_the_endpoint(sandbox, capsys):
    first = demo_users_ensure(password=None)
    assert all(login.password for login in first)
    call_command("seed_demo", "--sandbox-url", "http://127.0.0.1:1")
    call_command("seed_demo", "--sandbox-url", sandbox.url)
    out = capsys.readouterr().out
    assert "(unchanged" in out and first[0].password not in out
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(first[0].password)
    assert Connection.objects.filter(name=DEMO_CONNECTION_NAME).count() == 1
    assert Connection.objects.get(name=DEMO_CONNECTION_NAME).endpoint == sandbox.url


def test_generated_passwords_differ_per_user():
    logins = demo_users_ensure(password=None)
    assert len({login.password for login in logins}) == len(logins)
