"""Django's Redis cache, with one Redis client per connection pool instead of one per cache operation, and
three combined operations for the selector cache's single flight (``pools/selectors/cache.py``).

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every get and set; with redis-py 5 and later
that builds its table of some 170 response callbacks each time, which cost more than the round trip itself
(a page makes about twenty cache operations). A ``redis.Redis`` is safe to share between threads: it
takes a connection from its pool for each command. The pool notices a fork and opens new connections.

Each command still costs ~0.1 ms of the client's own CPU, and with a dozen reads of one page in flight
each round trip also waits for the interpreter. The combined operations send several commands in one round
trip (a pipeline, or a script): a cold read makes two, a warm one one.
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
_DELETE_IF_EQUAL = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
# KEYS[1]'s value if it has one ({0, value}); else set KEYS[2] to ARGV[1] for ARGV[2] seconds if it is free
# ({1}: taken), or not ({0}).
_GET_OR_ADD = """
local value = redis.call('get', KEYS[1])
if value then return {0, value} end
if redis.call('set', KEYS[2], ARGV[1], 'nx', 'ex', ARGV[2]) then return {1} end
return {0}
"""


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

    def get_or_add(self, get_key: str, add_key: str, value, timeout: float):
        """``get(get_key)``, and only when that finds nothing ``add(add_key, value, timeout)``, in one round
        trip: (the value found or None, whether ``add_key`` was taken)."""
        expiry = self.get_backend_timeout(timeout)
        if not expiry:  # no expiry or "expire at once": Django's own operations handle those
            found = self.get(get_key)
            return found, found is None and self.add(add_key, value, timeout)
        serializer = self._cache._serializer
        answer = self._get_or_add_script()(
            keys=[self._key(get_key), self._key(add_key)], args=[serializer.dumps(value), expiry]
        )
        if len(answer) > 1:
            return serializer.loads(answer[1]), False
        return None, answer[0] == 1

    def set_each(self, entries, *, then_delete_if_equal: tuple[str, object] | None = None) -> None:
        """``set(key, value, timeout)`` for each (key, value, timeout), and then, if given, ``delete_if_equal``
        of a (key, value), in one round trip."""
        client = self._cache.get_client(write=True)
        serializer = self._cache._serializer
        pipeline = client.pipeline(transaction=False)
        for key, value, timeout in entries:
            expiry = self.get_backend_timeout(timeout)
            if expiry == 0:
                pipeline.delete(self._key(key))
            else:
                pipeline.set(self._key(key), serializer.dumps(value), ex=expiry)
        if then_delete_if_equal is not None:
            key, value = then_delete_if_equal
            # EVAL, not a registered script: a pipeline would first ask the server whether it knows those.
            pipeline.eval(_DELETE_IF_EQUAL, 1, self._key(key), serializer.dumps(value))
        pipeline.execute()

    def _get_or_add_script(self):
        # Run by its digest (EVALSHA; loaded once on a miss): every plain read runs it, cached or not.
        script = self.__dict__.get("_get_or_add")
        if script is None:
            script = self._get_or_add = self._cache.get_client(write=True).register_script(_GET_OR_ADD)
        return script

    def delete_if_equal(self, key: str, value) -> bool:
        """Delete ``key`` if it holds ``value``, atomically."""
        client = self._cache.get_client(write=True)
        return bool(client.eval(_DELETE_IF_EQUAL, 1, self._key(key), self._cache._serializer.dumps(value)))


DJANGO_BACKEND = "django.core.cache.backends.redis.RedisCache"
BACKEND = f"{__name__}.SharedClientRedisCache"
