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


def attempt_in_parallel(count, username_for, address_for):
    attempts = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def try_once(n):
        start.wait()
        attempt = login_throttle.login_attempt_begin(
            username=username_for(n), request=request_from(address_for(n))
        )
        with lock:
            attempts.append(attempt)

    threads = [threading.Thread(target=try_once, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(attempts) == count
    return attempts


def test_parallel_attempts_cannot_pass_the_pair_limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    attempts = attempt_in_parallel(20, lambda n: "target", lambda n: "192.0.2.1")
    assert sum(not a.refused for a in attempts) == 5


def test_parallel_attempts_cannot_pass_the_address_ceiling(settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 8
    attempts = attempt_in_parallel(20, lambda n: f"user-{n}", lambda n: "192.0.2.1")
    assert sum(not a.refused for a in attempts) == 8


def test_the_same_name_from_many_addresses_is_counted_per_address(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    attempts = attempt_in_parallel(20, lambda n: "target", lambda n: f"192.0.2.{n}")
    assert not any(a.refused for a in attempts), "each address has its own pair counter"


@pytest.mark.django_db
def test_refused_attempts_give_their_slots_back(settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 2
    locked_address = request_from("192.0.2.50")
    for n in range(2):
        login_throttle.login_attempt_failed(
            login_throttle.login_attempt_begin(username=f"guess-{n}", request=locked_address)
        )
    # Hammering from the locked address must not fill the victim's counter there as well.
    for _ in range(5):
        refused = login_throttle.login_attempt_begin(username="victim", request=locked_address)
        assert refused.refused
        assert (refused.pair_slot, refused.address_slot) == (1, 3), "the slots were given back"

    assert not login_throttle.login_attempt_begin(
        username="victim", request=request_from("192.0.2.51")
    ).refused
