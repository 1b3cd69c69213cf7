"""A failure kept by cached_read reads in the language of whoever reads it, not of whoever read it first."""

import pickle

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.text import format_lazy

from pools.modelarts.errors import ThrottledError
from pools.selectors import modelarts as selectors
from pools.selectors.cache import cached_read, read_key
from tests.fixtures.caches import REDIS

WHAT = format_lazy(selectors.LISTING_POOLS, name="prod")  # what a selector passes
IN_ENGLISH = "Listing the pools of connection “prod” failed: ModelArts is throttling requests."
IN_CHINESE = "列出连接“prod”的资源池失败：ModelArts 正在对请求限流。"
PARAMS = {"workspace": "0"}


class Upstream:
    def __init__(self, error: Exception | None = None):
        self.error, self.calls = error, 0

    def __call__(self):
        self.calls += 1
        if self.error is not None:
            raise self.error
        return {"call": self.calls}


def read(upstream, what=WHAT):
    return cached_read(connection_id=7, operation="pool_list", params=PARAMS, fetch=upstream, what=what)


def throttled():
    return ThrottledError(operation="ListPools", status=429, error_code="APIG.0308", request_id="rid-429")


@pytest.mark.parametrize(
    ("first", "then", "expected"), [("en", "zh-hans", IN_CHINESE), ("zh-hans", "en", IN_ENGLISH)]
)
def test_a_cached_failure_reads_in_the_language_of_each_reader(shared_cache, first, then, expected):
    with translation.override(first):
        read(Upstream(error=throttled()))
    unused = Upstream()
    with translation.override(then):
        message = read(unused).error.message
    assert unused.calls == 0, "answered from the cache"
    assert message == expected and isinstance(message, str)


def test_the_stored_failure_survives_a_pickle_round_trip_language_neutral(shared_cache):
    with translation.override("en"):
        read(Upstream(error=throttled()))
    key = read_key(7, "pool_list", PARAMS)
    restored = pickle.loads(pickle.dumps(cache.get(key)))  # what a Redis cache stores and gives back
    cache.set(key, restored, timeout=60)
    with translation.override("zh-hans"):
        assert read(Upstream()).error.message == IN_CHINESE
    with translation.override("en"):
        assert read(Upstream()).error.message == IN_ENGLISH


def test_redis_gives_a_failure_stored_in_english_to_a_chinese_reader(shared_cache):
    if shared_cache != REDIS:
        pytest.skip("the Redis pass only")
    with translation.override("en"):
        read(Upstream(error=throttled()))
    cache.close()  # the next read comes back from Redis, not from anything this process kept
    with translation.override("zh-hans"):
        assert read(Upstream()).error.message == IN_CHINESE


@pytest.mark.django_db
def test_a_connection_the_client_refuses_reads_in_each_readers_language(locmem_cache, make_connection):
    odd = make_connection("odd-endpoint", endpoint="ftp://modelarts.example.test")
    with translation.override("en"):
        english = selectors.pool_list(connection=odd).error.message
    with translation.override("zh-hans"):
        chinese = selectors.pool_list(connection=odd).error.message
    assert english.startswith("Listing the pools of connection “odd-endpoint” failed: ")
    assert chinese.startswith("列出连接“odd-endpoint”的资源池失败：")
