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
