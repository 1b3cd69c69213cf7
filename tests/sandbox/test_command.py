"""``manage.py modelarts_sandbox`` as a person runs it, with the official SDK pointed at it."""

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServerResponseException
from huaweicloudsdkmodelarts.v1 import ListPoolsRequest, ModelArtsClient, ShowPoolStatisticsRequest

from pools.sandbox import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_command(tmp_path):
    processes = []

    def run(*arguments, sigint_ignored=False):
        process = subprocess.Popen(
            [sys.executable, "manage.py", "modelarts_sandbox", "--port", "0", *arguments],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            # As a shell without job control starts `cmd &`: the child inherits SIGINT ignored.
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None,
        )
        processes.append(process)
        for line in process.stdout:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                return process, found.group(1)
        raise AssertionError(f"the sandbox command exited with {process.wait()} before listening")

    yield run
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def sdk(url):
    credentials = BasicCredentials(DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID)
    return ModelArtsClient.new_builder().with_credentials(credentials).with_endpoints([url]).build()


@pytest.mark.timeout(60)
def test_the_command_serves_the_demo_estate_to_the_sdk(run_command, tmp_path):
    state_file = tmp_path / "state.json"
    fault = json.dumps({"kind": "error", "status": 503, "count": 1, "operation": "ShowPoolStatistics"})
    process, url = run_command("--seed", "demo", "--state-file", str(state_file), "--fault", fault)
    client = sdk(url)

    pools = client.list_pools(ListPoolsRequest()).to_json_object()["items"]
    with pytest.raises(ServerResponseException):
        client.show_pool_statistics(ShowPoolStatisticsRequest())
    statistics = client.show_pool_statistics(ShowPoolStatisticsRequest()).to_json_object()

    assert len(pools) == 6, "the default workspace: vision-train lives in its own"
    assert statistics["statistics"]["status"]["created"] == 3
    assert len(json.loads(state_file.read_text())["pools"]) == 7
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0


@pytest.mark.timeout(60)
def test_a_bad_fault_flag_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "modelarts_sandbox", "--port", "0", "--fault", '{"kind": "explode"}'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=50,
    )

    assert result.returncode != 0
    assert "bad fault" in result.stderr


@pytest.mark.timeout(60)
def test_ctrl_c_stops_the_command_even_when_started_with_sigint_ignored(run_command):
    process, url = run_command(sigint_ignored=True)
    assert sdk(url).list_pools(ListPoolsRequest()).to_json_object()["items"] == []

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=20) == 0
