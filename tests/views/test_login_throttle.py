import json
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import forms as auth_forms
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from pools import audit
from pools.core import audit_messages
from pools.services import change_requests, login_throttle
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def attempt(client, username, password, *, url=LOGIN, ip="192.0.2.10"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, *, url=LOGIN, ip="192.0.2.10"):
    for _ in range(times):
        response = attempt(client, username, "not the password", url=url, ip=ip)
        assert response.status_code == 200, "a failure before the limit is a plain wrong password"


def lockouts():
    entries = [audit_messages.parse_message(e) for e in LogEntry.objects.order_by("pk")]
    return [e for e in entries if e["action"] == "login.lockout"]


@pytest.fixture
def password_checks(monkeypatch):
    """Every call Django's log-in form makes to authenticate()."""
    calls = []
    original = auth_forms.authenticate

    def counting(request=None, **credentials):
        calls.append(credentials.get("username"))
        return original(request, **credentials)

    monkeypatch.setattr(auth_forms, "authenticate", counting)
    return calls


def test_login_page_keeps_its_field_ids(client):
    html = client.get(LOGIN).content.decode()
    assert 'id="id_username"' in html and 'id="id_password"' in html


def test_right_password_logs_in(client, viewer):
    response = attempt(client, viewer.username, PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(viewer.pk)


def test_after_five_failures_the_right_password_is_refused_without_checking_it(
    client, viewer, password_checks
):
    fail(client, viewer.username, 5)
    assert len(password_checks) == 5

    response = attempt(client, viewer.username, PASSWORD)

    assert response.status_code == 429
    assert login_throttle.locked_out_message() in response.content.decode()
    assert "15 minutes" in login_throttle.locked_out_message()
    assert SESSION_KEY not in client.session
    assert len(password_checks) == 5, "a refused attempt must not check the password"


def test_the_username_counter_ignores_case_and_spaces(client, viewer):
    fail(client, viewer.username.upper(), 3)
    fail(client, f" {viewer.username} ", 2)
    assert attempt(client, viewer.username, PASSWORD).status_code == 429


def test_a_success_resets_the_username_counter(client, viewer):
    fail(client, viewer.username, 4, ip="192.0.2.11")
    assert attempt(client, viewer.username, PASSWORD, ip="192.0.2.11").status_code == 302
    client.logout()
    # Another address, so only the username counter could refuse these.
    fail(client, viewer.username, 4, ip="192.0.2.12")
    assert attempt(client, viewer.username, PASSWORD, ip="192.0.2.12").status_code == 302


def test_guesses_from_elsewhere_cannot_lock_a_named_account_out(client, viewer, password_checks):
    fail(client, viewer.username, 5, ip="198.51.100.66")
    assert attempt(client, viewer.username, "still guessing", ip="198.51.100.66").status_code == 429
    assert len(password_checks) == 5

    assert attempt(client, viewer.username, PASSWORD, ip="192.0.2.10").status_code == 302


def test_five_typos_behind_a_shared_address_pause_only_the_one_who_made_them(client, viewer, operator):
    office = "203.0.113.1"  # a NAT or proxy many people sit behind
    fail(client, viewer.username, 5, ip=office)
    assert attempt(client, viewer.username, PASSWORD, ip=office).status_code == 429

    assert attempt(client, operator.username, PASSWORD, ip=office).status_code == 302


def test_failures_from_one_address_up_to_its_ceiling_lock_it_for_every_username(
    client, viewer, operator, settings
):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 8
    for n in range(8):
        assert attempt(client, f"someone-{n}", "guess", ip="192.0.2.20").status_code == 200

    assert attempt(client, viewer.username, PASSWORD, ip="192.0.2.20").status_code == 429
    assert attempt(client, operator.username, PASSWORD, ip="192.0.2.21").status_code == 302
    [entry] = lockouts()
    assert entry["details"]["scopes"] == ["address"]
    assert entry["details"]["failures"] == 8


def test_the_lockout_is_audited_once_against_the_user(client, viewer):
    fail(client, viewer.username, 5)
    attempt(client, viewer.username, PASSWORD)
    attempt(client, viewer.username, "another guess")

    [entry] = lockouts()
    assert entry["details"]["username"] == viewer.username
    assert entry["details"]["scopes"] == ["username_and_address"]
    assert entry["details"]["ip"] == "192.0.2.10"
    log = LogEntry.objects.get()
    assert log.object_id == str(viewer.pk)
    assert "not the password" not in log.change_message
    assert audit.verify_chain().ok


def test_a_lockout_of_an_unknown_name_does_not_record_the_name(client):
    typed = "correct-horse-typed-in-the-wrong-field"
    fail(client, typed, 5)

    [entry] = lockouts()
    assert entry["details"]["username_exists"] is False
    assert entry["details"]["username"] == ""
    assert LogEntry.objects.get().object_id == str(audit.system_user().pk)
    assert not LogEntry.objects.filter(change_message__contains=typed).exists()


def test_the_admin_login_shares_the_counters(client, viewer, password_checks):
    fail(client, viewer.username, 3, url=ADMIN_LOGIN)
    fail(client, viewer.username, 2)

    response = attempt(client, viewer.username, PASSWORD, url=ADMIN_LOGIN)

    assert login_throttle.locked_out_message() in response.content.decode()
    assert len(password_checks) == 5


def test_a_right_password_on_the_admin_login_of_a_non_staff_user_is_no_failure(client, viewer):
    for _ in range(6):
        response = attempt(client, viewer.username, PASSWORD, url=ADMIN_LOGIN)
        assert login_throttle.locked_out_message() not in response.content.decode()
    assert not lockouts()


def test_the_lock_lifts_when_the_window_has_passed(client, viewer, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 1
    fail(client, viewer.username, 2)
    assert attempt(client, viewer.username, PASSWORD).status_code == 429

    deadline = time.monotonic() + 10
    while (status := attempt(client, viewer.username, PASSWORD).status_code) == 429:
        assert time.monotonic() < deadline, "the lock did not lift after its one-second window"
        time.sleep(0.1)
    assert status == 302


def test_limit_and_window_come_from_settings(client, viewer, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 30 * 60
    fail(client, viewer.username, 3)
    response = attempt(client, viewer.username, PASSWORD)
    assert response.status_code == 429
    assert "30 minutes" in response.content.decode()
    assert json.loads(LogEntry.objects.get().change_message)["details"]["failures"] == 3


# --- Re-checking a signed-in user's password goes through the same counters ---


def change_password(client, old, ip="192.0.2.10"):
    new = "a brand new passphrase 77"
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post("/accounts/password_change/", data, REMOTE_ADDR=ip)


def test_wrong_old_passwords_pause_password_changes(viewer_client, viewer):
    for _ in range(5):
        assert "entered incorrectly" in change_password(viewer_client, "not the password").content.decode()

    response = change_password(viewer_client, PASSWORD)

    assert login_throttle.rechecks_paused_message() in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD), "the password must not have changed"
    assert len(lockouts()) == 1


def test_a_right_old_password_changes_it(viewer_client, viewer):
    assert change_password(viewer_client, PASSWORD).status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("a brand new passphrase 77")


def with_session(session_key, ip="192.0.2.30"):
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    request.session = SessionStore(session_key=session_key)
    return request


def test_password_checks_are_counted_per_session(client, viewer):
    for _ in range(5):
        assert not login_throttle.password_recheck(
            user=viewer, password="wrong", request=with_session("a" * 32)
        )
    with pytest.raises(login_throttle.PasswordChecksPaused):
        login_throttle.password_recheck(user=viewer, password=PASSWORD, request=with_session("a" * 32))

    # Another session of the same user, from the same address, and log-in are not paused by them.
    assert login_throttle.password_recheck(user=viewer, password=PASSWORD, request=with_session("b" * 32))
    assert attempt(client, viewer.username, PASSWORD, ip="192.0.2.30").status_code == 302
    [entry] = lockouts()
    assert entry["details"]["scopes"] == ["session"]
    assert entry["details"]["username"] == viewer.username


def file_delete_request(cloud, operator, cloud_connection, key):
    pool = cloud.add_pool(f"pool-{key}", nodes=1)
    return change_requests.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=pool,
        body=None,
        reason="Throttle test",
        idempotency_key=key,
    )


def test_guesses_at_an_approvers_name_never_pause_their_open_session(
    client, approver, operator, cloud, cloud_connection
):
    pending = file_delete_request(cloud, operator, cloud_connection, "guessed")
    approvers_desk = "203.0.113.1"
    client.force_login(approver)
    # Someone guesses the approver's password at the log-in page, from elsewhere and from the very address
    # (a shared NAT) the approver works behind, until both are paused.
    guesser = type(client)()
    fail(guesser, approver.username, 5, ip="198.51.100.66")
    fail(guesser, approver.username, 5, ip=approvers_desk)
    assert attempt(guesser, approver.username, PASSWORD, ip=approvers_desk).status_code == 429

    url = reverse("pools:change_request_approve", args=[pending.pk])
    approved = client.post(url, {"password": PASSWORD, "comment": ""}, REMOTE_ADDR=approvers_desk)

    assert approved.status_code in (200, 302), approved.content.decode()[:500]
    pending.refresh_from_db()
    assert pending.status != pending.Status.PENDING


def test_wrong_passwords_when_approving_pause_approving(client, approver, operator, cloud, cloud_connection):
    pending = file_delete_request(cloud, operator, cloud_connection, "throttle")
    client.force_login(approver)
    url = reverse("pools:change_request_approve", args=[pending.pk])
    for _ in range(5):
        wrong = client.post(url, {"password": "guess", "comment": ""}, REMOTE_ADDR="192.0.2.40")
        assert "That is not your password." in wrong.content.decode()

    paused = client.post(url, {"password": PASSWORD, "comment": ""}, REMOTE_ADDR="192.0.2.40")

    assert paused.status_code == 400
    assert login_throttle.rechecks_paused_message() in paused.content.decode()
    pending.refresh_from_db()
    assert pending.status == pending.Status.PENDING
    assert cloud.calls["DeletePool"] == 0
