from pools.forms.pool_wizard.steps import validate_steps
from tests.forms.pool_wizard.helpers import BASE, GOOD_BASICS, data, rows


def test_validate_steps_stops_at_the_first_missing_or_invalid_step():
    saved = {
        "basics": data(**GOOD_BASICS),
        "type": data(type="Dedicate", scope=["Train"]),
        "resources": rows({"flavor": "modelarts.vm.gpu.t4u8", "count": 2}),
        "network": data(update_strategy="idle"),  # a physical pool without network
    }
    states, blocking = validate_steps(saved, BASE, until="review")
    assert blocking == "network"
    assert list(states) == ["basics", "type", "resources"]
    assert validate_steps(saved, BASE, until="network") == (states, None)
    assert validate_steps({}, BASE, until="type")[1] == "basics"


def test_later_steps_see_what_earlier_steps_decided():
    saved = {
        "basics": data(connection="2", display_name="pool-lab"),
        "type": data(type="Dedicate", scope=["Train"]),
        # An AZ of the first connection's region is wrong for the chosen (second) connection.
        "resources": rows({"flavor": "modelarts.vm.gpu.t4u8", "count": 1, "azs": "cn-north-4a=1"}),
    }
    assert validate_steps(saved, BASE, until="network")[1] == "resources"
    saved["resources"] = rows({"flavor": "modelarts.vm.gpu.t4u8", "count": 1, "azs": "cn-east-3a=1"})
    assert validate_steps(saved, BASE, until="network")[1] is None
