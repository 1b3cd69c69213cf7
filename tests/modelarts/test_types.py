"""Typed values parsed from ModelArts answers: pickled compactly, read from bytes as from JSON."""

import json
import pickle

import pytest

from pools.modelarts import jsonio
from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.types import Pool, PoolList, RuntimeMetrics
from tests.fixtures.sandbox import pool_body

USAGE = {
    "metadata": {"name": "pool-1", "labels": {"os.modelarts/name": "one"}},
    "table": {
        "allocated": {"value": {"cpu": "3920m", "memory": 1024}, "timestamp": "2026-11-24T04:06:34Z"},
        "capacity": {"value": {"cpu": 8}},
        "workload": {"allocated": {"train": "2"}, "queue": {"train": 1}},
    },
}


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


def test_a_pool_list_pickles_as_its_json_and_comes_back_equal():
    body = _answer(5)
    pools = PoolList.parse(body, "req-1")

    stored = pickle.dumps(pools, pickle.HIGHEST_PROTOCOL)
    again = pickle.loads(stored)

    assert again == pools
    assert again.raw == body
    assert again.request_id == "req-1"
    assert b'"pool-4-id"' in stored  # the JSON itself, not pickled objects
    with pytest.raises(AttributeError):
        again.items[0].name = "changed"  # still frozen


def test_a_pool_list_with_an_integer_past_64_bits_still_pickles():
    body = _answer(1)
    body["items"][0]["metadata"]["labels"]["huge"] = 2**70
    pools = PoolList.parse(body)

    assert pickle.loads(pickle.dumps(pools)).items[0].labels["huge"] == str(2**70)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"a": [1, 2.5, "x"]}', {"a": [1, 2.5, "x"]}),
        (b'{"big": 123456789012345678901234567890}', {"big": 123456789012345678901234567890}),
        # msgspec refuses an unpaired surrogate escape; the standard library reads it.
        (b'{"s": "\\ud800x"}', {"s": "\ud800x"}),
    ],
)
def test_jsonio_reads_what_the_standard_library_reads_and_writes_it_back(content, expected):
    decoded = jsonio.loads(content)

    assert decoded == expected
    assert jsonio.loads(jsonio.dumps(decoded)) == expected


@pytest.mark.parametrize("content", [b"", b"{", b"<html>", b"[1,]", b'{"a": NaN}', b"[Infinity]"])
def test_jsonio_refuses_what_is_not_json(content):
    with pytest.raises(ValueError):
        jsonio.loads(content)


def test_runtime_metrics_pickle_as_their_json_and_come_back_equal():
    metrics = RuntimeMetrics.parse({"items": [USAGE, {**USAGE, "metadata": {"name": "pool-2"}}]}, "req-2")

    stored = pickle.dumps(metrics, pickle.HIGHEST_PROTOCOL)
    again = pickle.loads(stored)

    assert again == metrics and again.request_id == "req-2"
    assert again.items[0].allocated == {"cpu": "3920m", "memory": "1024"}
    assert b'"pool-2"' in stored


@pytest.mark.parametrize(
    "body",
    [
        _answer(4),
        {"apiVersion": "v2", "kind": "List", "metadata": {"continue": ""}, "items": []},
        {"kind": "List"},  # no items at all: an empty list
        {"items": [{**_answer(1)["items"][0], "extra": {"ünïcode": "✓", "deep": [[{"x": None}]]}}]},
    ],
)
def test_a_pool_list_read_from_bytes_equals_one_parsed_from_json(body):
    content = json.dumps(body).encode()

    from_bytes = PoolList.from_json(content, "req")
    parsed = PoolList.parse(json.loads(content), "req")

    assert from_bytes == parsed
    assert from_bytes.raw == parsed.raw == body
    assert [pool.raw for pool in from_bytes.items] == body.get("items", [])


@pytest.mark.parametrize("answer", [PoolList, RuntimeMetrics])
@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'{"items": {"not": "a list"}}', InvalidResponseError),
        (b'{"items": null}', InvalidResponseError),
        (b"[1, 2]", InvalidResponseError),
        (b"<html>busy</html>", jsonio.NotJson),
        (b'{"items": [NaN]}', jsonio.NotJson),
    ],
)
def test_a_list_answer_read_from_bytes_fails_as_one_parsed_from_json(answer, content, error):
    with pytest.raises(error):
        answer.from_json(content)


@pytest.mark.parametrize(
    "content",
    [b'{"items": ["not an object"]}', b'{"items": [{"metadata": {}}]}'],  # the second has no name
)
def test_a_pool_list_with_a_pool_it_cannot_type_fails_from_bytes(content):
    with pytest.raises(InvalidResponseError):
        PoolList.from_json(content)


@pytest.mark.parametrize(
    "body",
    [
        {"items": [USAGE, {**USAGE, "metadata": {"name": "pool-2"}}]},
        {"apiVersion": "v1", "items": []},
        {"kind": "List"},
        # Odd items type as empty usage, as parse types them, and the body keeps them as they came.
        {"items": ["not an object", None, 7, {"metadata": "odd"}]},
        {"items": [{**USAGE, "extra": {"ünïcode": "✓", "big": 12345678901234567890123}}]},
    ],
)
def test_runtime_metrics_read_from_bytes_equal_those_parsed_from_json(body):
    content = json.dumps(body).encode()

    from_bytes = RuntimeMetrics.from_json(content, "req")
    parsed = RuntimeMetrics.parse(json.loads(content), "req")

    assert from_bytes == parsed and from_bytes.request_id == "req"
    assert from_bytes.raw == parsed.raw == body
    assert [usage.raw for usage in from_bytes.items] == [usage.raw for usage in parsed.items]
