"""The workload, job and node-action values: tolerant of numbers as text and missing fields, strict about
what the pages cannot do without."""

import json

import pytest

from pools.modelarts.errors import InvalidResponseError
from pools.modelarts.workloads import JobList, NodeActionResult, Workload, WorkloadList, WorkloadStatistics


def test_a_workload_reads_its_nodes_from_either_field_and_numbers_as_text():
    workload = Workload.parse(
        {
            "name": "train-1",
            "status": "Running",
            "userName": "li.wei",
            "runningDuration": "3600",
            "createTime": 1_800_000_000_000,
            "hostIps": "10.0.0.1,10.0.0.2",
            "nodes": [{"hostIp": "10.0.0.2"}, {"hostIp": "10.0.0.3"}],
            "resourceRequirement": {"cpu": "4", "huawei.com/ascend-1980": "8"},
        }
    )

    assert workload.host_ips == ("10.0.0.1", "10.0.0.2", "10.0.0.3")
    assert workload.running_seconds == 3600 and workload.pending_position is None
    assert workload.accelerators == ("huawei.com/ascend-1980", "8")
    assert workload.created_at.year == 2027 and workload.is_active


def test_a_workload_without_fields_is_empty_not_an_error():
    workload = Workload.parse({"pendingPosition": "2", "status": "Completed"})

    assert workload.name == "" and workload.host_ips == () and workload.accelerators is None
    assert workload.pending_position == 2 and not workload.is_active


def test_lists_without_items_are_refused():
    with pytest.raises(InvalidResponseError):
        WorkloadList.parse({"items": "none"})
    with pytest.raises(InvalidResponseError):
        JobList.parse([])
    with pytest.raises(InvalidResponseError):
        WorkloadStatistics.parse({"statistics": {"items": {}}})


def test_statistics_add_up_over_the_types_in_the_api_s_order():
    statistics = WorkloadStatistics.parse(
        {
            "statistics": {
                "items": [
                    {"type": "train", "status": {"Running": 3, "Pending": 1}},
                    {"type": "infer", "status": {"Running": "2", "Failed": 0}},
                ]
            }
        }
    )

    assert statistics.by_status() == [("Pending", 1), ("Running", 5)]


def test_a_job_reads_its_nodes_from_the_json_text_of_its_inputs():
    jobs = JobList.parse(
        {
            "count": 1,
            "items": [
                {
                    "jobId": "j-1",
                    "type": "reboot-node",
                    "phase": "Success",
                    "startTimestamp": 1_800_000_000_000,
                    "endTimestamp": 0,
                    "inputs": json.dumps({"nodeNames": ["a", "b"]}),
                    "involvedObjects": "not json",
                }
            ],
        }
    )

    job = jobs.find("j-1")
    assert job.node_names == ("a", "b") and job.ended_at is None and jobs.find("j-2") is None


def test_node_action_answers():
    lock = NodeActionResult.parse(
        {"nodes": [{"name": "a", "status": "success"}, {"name": "b", "status": "failed"}]}
    )
    reset = NodeActionResult.parse({"job_id": "j-9"})

    assert lock.failed == ("b",) and reset.job_id == "j-9"
    with pytest.raises(InvalidResponseError):
        NodeActionResult.parse(["a"])
