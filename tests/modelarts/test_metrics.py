"""Usage values parsed from ModelArts answers: strict about the list shape, tolerant of odd items, and
unchanged through the selector cache's pickling."""

import pickle

import pytest

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.metrics import RuntimeMetrics

USAGE = {
    "metadata": {"name": "pool-1", "labels": {"os.modelarts/name": "one"}},
    "table": {
        "allocated": {"value": {"cpu": "3920m", "memory": 1024}, "timestamp": "2026-11-24T04:06:34Z"},
        "capacity": {"value": {"cpu": 8}},
        "workload": {"allocated": {"train": "2"}, "queue": {"train": 1}},
    },
}


def test_runtime_metrics_come_back_equal_from_the_cache_s_pickling():
    metrics = RuntimeMetrics.parse({"items": [USAGE, {**USAGE, "metadata": {"name": "pool-2"}}]}, "req-2")

    stored = pickle.dumps(metrics, pickle.HIGHEST_PROTOCOL)
    again = pickle.loads(stored)

    assert again == metrics and again.request_id == "req-2"
    assert again.items[0].allocated == {"cpu": "3920m", "memory": "1024"}


@pytest.mark.parametrize("body", [{"items": {"not": "a list"}}, [1, 2]])
def test_a_runtime_metrics_answer_of_the_wrong_shape_is_refused(body):
    with pytest.raises(InvalidResponseError):
        RuntimeMetrics.parse(body)


def test_odd_usage_items_type_as_empty_usage_and_keep_their_json():
    metrics = RuntimeMetrics.parse({"items": ["not an object", None, 7, {"metadata": "odd"}]})

    assert [usage.name for usage in metrics.items] == ["", "", "", ""]
    assert [usage.raw for usage in metrics.items] == [{}, {}, {}, {"metadata": "odd"}]
