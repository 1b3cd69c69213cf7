import threading

import pytest
from django.test import RequestFactory

from pools.services import login_throttle


def request_from(remote_addr="192.0.2.1", forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/accounts/login/", **extra)


def test_without_trusted_proxies_the_address_is_remote_addr_whatever_the_client_claims(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert login_throttle.client_ip(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # The client made up the first entry; our one proxy appended the real address.
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # Fewer entries than proxies: something bypassed a proxy, so trust only the socket.
        (2, "203.0.113.9", "192.0.2.1"),
        (1, "", "192.0.2.1"),
    ],
)
def test_behind_trusted_proxies_the_address_is_the_one_they_appended(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert login_throttle.client_ip(request_from("192.0.2.1", forwarded_for)) == expected


def test_parallel_attempts_cannot_pass_the_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    attempts = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def try_once(n):
        start.wait()
        attempt = login_throttle.login_attempt_begin(username="target", request=request_from(f"192.0.2.{n}"))
        with lock:
            attempts.append(attempt)

    threads = [threading.Thread(target=try_once, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(attempts) == 20
    assert sum(not a.refused for a in attempts) == 5


@pytest.mark.django_db
def test_refused_attempts_give_their_slots_back(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    locked_address = request_from("192.0.2.50")
    for n in range(2):
        login_throttle.login_attempt_failed(
            login_throttle.login_attempt_begin(username=f"guess-{n}", request=locked_address)
        )
    # Hammering from the locked address must not fill the victim's username counter as well.
    for _ in range(5):
        assert login_throttle.login_attempt_begin(username="victim", request=locked_address).refused

    assert not login_throttle.login_attempt_begin(
        username="victim", request=request_from("192.0.2.51")
    ).refused
