import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from pools import permissions
from pools.models import Connection
from pools.services.demo import DEMO_CONNECTION_NAME, DEMO_USERS, demo_users_ensure

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_users_in_their_roles_and_a_connection(sandbox, capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests-1")
    call_command("seed_demo", "--sandbox-url", sandbox.url)
    out = capsys.readouterr().out
    assert "demo-pass-for-tests-1" in out
    for username, role, superuser in DEMO_USERS:
        user = get_user_model().objects.get(username=username)
        assert user.check_password("demo-pass-for-tests-1")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff is superuser and user.is_superuser is superuser
    roles = {username: role for username, role, _ in DEMO_USERS}
    assert set(roles.values()) == set(permissions.ROLE_PERMISSIONS), "one demo user per role"
    assert roles["auditor"] == permissions.AUDITOR and "auditor" in out
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


def test_the_demo_admin_gives_roles_in_djangos_admin(client):
    password = "demo-pass-for-tests-2"
    demo_users_ensure(password=password)
    assert client.login(username="admin", password=password)
    viewer = get_user_model().objects.get(username="viewer")
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/auth/group/").status_code == 200
    assert client.get("/admin/auth/user/add/").status_code == 200
    change_url = f"/admin/auth/user/{viewer.pk}/change/"
    assert client.get(change_url).status_code == 200

    auditor_role = Group.objects.get(name=permissions.AUDITOR)
    answer = client.post(
        change_url,
        {
            "username": "viewer",
            "email": viewer.email,
            "is_active": "on",
            "groups": [group.pk for group in viewer.groups.all()] + [auditor_role.pk],
            "date_joined_0": viewer.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": viewer.date_joined.strftime("%H:%M:%S"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert set(viewer.groups.values_list("name", flat=True)) == {permissions.VIEWER, permissions.AUDITOR}


def test_an_admin_from_an_older_demo_becomes_a_superuser(django_user_model):
    django_user_model.objects.create_user(username="admin", password="old-demo-password-1", is_staff=True)
    demo_users_ensure(password=None)
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("old-demo-password-1"), "an existing user keeps its password"
    assert list(admin.groups.values_list("name", flat=True)) == [permissions.ADMINISTRATOR]
