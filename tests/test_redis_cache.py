"""The Redis cache backend: Django's, with one Redis client per connection pool."""

import threading
import uuid

import environ
import pytest

from modelarts_admin import redis_cache
from tests.fixtures.caches import redis_url


def test_a_redis_cache_url_gets_the_shared_client_backend():
    setting = environ.Env.cache_url_config("redis://127.0.0.1:6379/5")
    assert setting["BACKEND"] == redis_cache.DJANGO_BACKEND  # what settings.py replaces
    assert redis_cache.BACKEND == "modelarts_admin.redis_cache.SharedClientRedisCache"


@pytest.mark.skipif(redis_url() is None, reason="Redis tests need CACHE_URL=redis://…")
def test_every_operation_and_thread_share_one_client_and_it_works():
    cache = redis_cache.SharedClientRedisCache(redis_url(), {"KEY_PREFIX": f"t{uuid.uuid4().hex[:12]}"})
    clients = []

    def use() -> None:
        key = uuid.uuid4().hex
        cache.set(key, {"value": key}, 30)
        assert cache.get(key) == {"value": key}
        assert not cache.add(key, "other", 30)
        cache.delete(key)
        clients.append(cache._cache.get_client(write=True))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(clients) == 8 and len({id(client) for client in clients}) == 1


@pytest.fixture
def redis_cache_backend():
    if redis_url() is None:
        pytest.skip("Redis tests need CACHE_URL=redis://…")
    prefix = f"t{uuid.uuid4().hex[:12]}"
    cache = redis_cache.SharedClientRedisCache(redis_url(), {"KEY_PREFIX": prefix})
    yield cache
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_add_and_get_takes_a_lock_once_and_reads_another_key_with_it(redis_cache_backend):
    cache = redis_cache_backend
    cache.set("answer", b"bytes", 30)

    assert cache.add_and_get("lock", "me", 30, "answer") == (True, b"bytes")
    assert cache.add_and_get("lock", "you", 30, "missing") == (False, None)
    assert cache.get("lock") == "me"


def test_set_each_keeps_each_timeout_and_zero_deletes(redis_cache_backend):
    cache = redis_cache_backend
    cache.set("gone", 1, 30)

    cache.set_each([("long", b"a", 3600), ("short", b"b", 5), ("gone", b"c", 0)])

    client = cache._cache.get_client()
    assert cache.get("long") == b"a" and cache.get("short") == b"b" and cache.get("gone") is None
    assert 3590 < client.ttl(cache.make_key("long")) <= 3600
    assert 0 < client.ttl(cache.make_key("short")) <= 5


def test_delete_if_equal_deletes_only_its_own_value(redis_cache_backend):
    cache = redis_cache_backend
    cache.set("lock", "holder", 30)

    assert not cache.delete_if_equal("lock", "someone else")
    assert cache.get("lock") == "holder"
    assert cache.delete_if_equal("lock", "holder")
    assert cache.get("lock") is None


def test_get_or_add_reads_a_present_value_without_taking_the_lock(redis_cache_backend):
    cache = redis_cache_backend
    cache.set("answer", b"bytes", 30)

    assert cache.get_or_add("answer", "lock", "me", 30) == (b"bytes", False)
    assert cache.get("lock") is None


def test_get_or_add_takes_a_free_lock_once_when_nothing_is_there(redis_cache_backend):
    cache = redis_cache_backend

    assert cache.get_or_add("answer", "lock", "me", 30) == (None, True)
    assert cache.get_or_add("answer", "lock", "you", 30) == (None, False)
    assert cache.get("lock") == "me"
    assert 0 < cache._cache.get_client().ttl(cache.make_key("lock")) <= 30


def test_set_each_then_releases_only_its_own_lock_in_the_same_round_trip(redis_cache_backend):
    cache = redis_cache_backend
    cache.set("mine", "token-1", 30)
    cache.set("theirs", "token-2", 30)

    cache.set_each([("answer", b"a", 30)], then_delete_if_equal=("mine", "token-1"))
    cache.set_each([("other", b"b", 30)], then_delete_if_equal=("theirs", "token-1"))

    assert cache.get("answer") == b"a" and cache.get("other") == b"b"
    assert cache.get("mine") is None
    assert cache.get("theirs") == "token-2"


def test_get_or_add_works_again_after_the_server_forgot_its_scripts(redis_cache_backend):
    cache = redis_cache_backend
    cache.set("answer", b"bytes", 30)
    assert cache.get_or_add("answer", "lock", "me", 30) == (b"bytes", False)

    cache._cache.get_client(write=True).script_flush()  # as after a restart of Redis

    assert cache.get_or_add("answer", "lock", "me", 30) == (b"bytes", False)
