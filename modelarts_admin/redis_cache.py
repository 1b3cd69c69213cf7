"""Django's Redis cache, with one Redis client per connection pool instead of one per cache operation.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every get and set; with redis-py 5 and later
that builds its table of some 170 response callbacks each time, which cost more than the round trip itself
(a page makes about twenty cache operations). A ``redis.Redis`` is safe to share between threads: it
takes a connection from its pool for each command. The pool notices a fork and opens new connections.
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


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


DJANGO_BACKEND = "django.core.cache.backends.redis.RedisCache"
BACKEND = f"{__name__}.SharedClientRedisCache"
