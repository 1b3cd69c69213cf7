"""The state file: written atomically after each change, loaded at start, transitions carry on."""

import json

import pytest

from pools.sandbox import Account, ManualClock, Sandbox
from tests.fixtures.sandbox import AK, PROJECT_ID, SK, pool_body, signed_request


def started(state_file, clock):
    sandbox = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)
    sandbox.start()
    return sandbox


@pytest.fixture
def clock():
    return ManualClock(1_800_000_000)


def test_the_estate_survives_a_restart(tmp_path, clock):
    state_file = tmp_path / "sandbox" / "state.json"
    first = started(state_file, clock)
    try:
        first.seed_demo(PROJECT_ID)
        running = first.create_pool(PROJECT_ID, pool_body("pool-demo", count=3))["metadata"]["name"]
        first.settle()
        victim = first.nodes(PROJECT_ID, running)[0]["metadata"]["name"]
        url = f"{first.url}/v2/{PROJECT_ID}/pools/{running}/nodes/batch-delete"
        assert signed_request("POST", url, json={"deleteNodeNames": [victim]}).status_code == 200
        before = first.pools(PROJECT_ID)
        nodes_before = first.nodes(PROJECT_ID, running)
    finally:
        first.stop()

    second = started(state_file, clock)
    try:
        assert second.pools(PROJECT_ID) == before
        assert second.nodes(PROJECT_ID, running) == nodes_before
        response = signed_request("GET", f"{second.url}/v2/{PROJECT_ID}/pools/{running}")
        assert response.json() == next(pool for pool in before if pool["metadata"]["name"] == running)
        clock.advance(15)
        assert len(second.nodes(PROJECT_ID, running)) == 2  # the deletion went on across the restart
        again = second.create_pool(PROJECT_ID, pool_body("pool-next"))["metadata"]["name"]
        assert again not in {pool["metadata"]["name"] for pool in before}
    finally:
        second.stop()


def test_each_change_is_written_and_no_temporary_file_is_left(tmp_path, clock):
    state_file = tmp_path / "state.json"
    sandbox = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)

    sandbox.create_pool(PROJECT_ID, pool_body("pool-aaaa"))
    saved = json.loads(state_file.read_text())
    sandbox.create_pool(PROJECT_ID, pool_body("pool-bbbb"))

    assert [pool["labels"]["os.modelarts/name"] for pool in saved["pools"]] == ["pool-aaaa"]
    assert len(json.loads(state_file.read_text())["pools"]) == 2
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_reset_empties_the_state_file(tmp_path, clock):
    state_file = tmp_path / "state.json"
    sandbox = Sandbox([Account(AK, SK, PROJECT_ID)], clock=clock, state_file=state_file)
    sandbox.create_pool(PROJECT_ID, pool_body())

    sandbox.reset()

    assert json.loads(state_file.read_text())["pools"] == []


def test_a_missing_state_file_starts_empty_and_an_alien_one_is_refused(tmp_path, clock):
    assert Sandbox(clock=clock, state_file=tmp_path / "none.json").pools(PROJECT_ID) == []
    alien = tmp_path / "alien.json"
    alien.write_text('{"version": 99}')

    with pytest.raises(ValueError, match="version"):
        Sandbox(clock=clock, state_file=alien)
