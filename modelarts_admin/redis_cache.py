"""Django's Redis cache, with one Redis client per connection pool instead of one per cache operation, and
three combined operations for the selector cache's single flight (``pools/selectors/cache.py``).

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every get and set; with redis-py 5 and later
that builds its table of some 170 response callbacks each time, which cost more than the round trip itself
(a page makes about twenty cache operations). A ``redis.Redis`` is safe to share between threads: it
takes a connection from its pool for each command. The pool notices a fork and opens new connections.

Each command still costs ~0.1 ms of the client's own CPU; a cold read made eight. The combined operations
send several commands in one round trip (a pipeline, or a script for compare-and-delete).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


# Delete KEYS[1] only while it still holds ARGV[1]: a lock is released by its holder only.
_DELETE_IF_EQUAL = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def _key(self, key: str, version=None) -> str:
        return self.make_and_validate_key(key, version=version)

    def add_and_get(self, add_key: str, value, timeout: float, get_key: str):
        """``add(add_key, value, timeout)`` and ``get(get_key)`` in one round trip: (added, value or None)."""
        expiry = self.get_backend_timeout(timeout)
        if not expiry:  # no expiry or "expire at once": Django's own add handles those
            return self.add(add_key, value, timeout), self.get(get_key)
        client = self._cache.get_client(write=True)
        serializer = self._cache._serializer
        pipeline = client.pipeline(transaction=False)
        pipeline.set(self._key(add_key), serializer.dumps(value), ex=expiry, nx=True)
        pipeline.get(self._key(get_key))
        added, stored = pipeline.execute()
        return bool(added), None if stored is None else serializer.loads(stored)

    def set_each(self, entries) -> None:
        """``set(key, value, timeout)`` for each (key, value, timeout), in one round trip."""
        client = self._cache.get_client(write=True)
        serializer = self._cache._serializer
        pipeline = client.pipeline(transaction=False)
        for key, value, timeout in entries:
            expiry = self.get_backend_timeout(timeout)
            if expiry == 0:
                pipeline.delete(self._key(key))
            else:
                pipeline.set(self._key(key), serializer.dumps(value), ex=expiry)
        pipeline.execute()

    def delete_if_equal(self, key: str, value) -> bool:
        """Delete ``key`` if it holds ``value``, atomically."""
        client = self._cache.get_client(write=True)
        return bool(client.eval(_DELETE_IF_EQUAL, 1, self._key(key), self._cache._serializer.dumps(value)))


DJANGO_BACKEND = "django.core.cache.backends.redis.RedisCache"
BACKEND = f"{__name__}.SharedClientRedisCache"
