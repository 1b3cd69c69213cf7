"""Pool values parsed from ModelArts answers: tolerant of the documented shape variants, strict
about what the dashboard needs, and unchanged through the selector cache's pickling."""

import pickle

import pytest

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.types import Pool, PoolList
from tests.fixtures.sandbox import pool_body


def _answer(count: int = 3) -> dict:
    items = []
    for number in range(count):
        item = pool_body(f"pool-{number}", count=number + 1)
        item["metadata"]["name"] = f"pool-{number}-id"
        item["metadata"]["creationTimestamp"] = "2026-11-24T04:06:34Z"
        item["status"] = {
            "phase": "Running",
            "message": "ok",
            "resources": {
                "available": [
                    {"flavor": "modelarts.vm.gpu.t4u8", "count": 2, "azs": [{"az": "a", "count": 2}]}
                ],
                "abnormal": {"flavor": "modelarts.vm.gpu.t4u8", "count": "1"},
            },
        }
        items.append(item)
    return {"apiVersion": "v2", "kind": "List", "items": items}


def test_a_pool_reads_the_array_and_the_single_object_forms_of_its_resources():
    pool = Pool.parse(_answer(1)["items"][0])

    assert pool.nodes_in("available") == 2
    assert pool.nodes_in("abnormal") == 1
    assert pool.nodes_in("creating") == 0
    assert pool.status_resources["available"][0].azs == (("a", 2),)


def test_a_pool_list_comes_back_equal_from_the_cache_s_pickling():
    body = _answer(5)
    pools = PoolList.parse(body, "req-1")

    stored = pickle.dumps(pools, pickle.HIGHEST_PROTOCOL)
    again = pickle.loads(stored)

    assert again == pools
    assert again.raw == body
    assert again.request_id == "req-1"
    with pytest.raises(AttributeError):
        again.items[0].name = "changed"  # still frozen


def test_a_pool_list_with_an_integer_past_64_bits_still_pickles():
    body = _answer(1)
    body["items"][0]["metadata"]["labels"]["huge"] = 2**70
    pools = PoolList.parse(body)

    assert pickle.loads(pickle.dumps(pools)).items[0].labels["huge"] == str(2**70)


@pytest.mark.parametrize(
    ("answer", "body"),
    [
        (PoolList, {"items": {"not": "a list"}}),
        (PoolList, {"items": None}),
        (PoolList, [1, 2]),
        (PoolList, {"items": ["not an object"]}),
        (PoolList, {"items": [{"metadata": {}}]}),  # a pool without a name
    ],
)
def test_a_list_answer_of_the_wrong_shape_is_refused(answer, body):
    with pytest.raises(InvalidResponseError):
        answer.parse(body)
