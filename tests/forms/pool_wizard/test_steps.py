from dataclasses import replace

from pools.forms.pool_wizard.steps import validate_steps
from pools.selectors.pool_changes import FlavorOffer, FlavorOffers
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
    t4 = "modelarts.vm.gpu.t4u8"

    def offers_of(connection):
        zones = (f"{connection.region}a", f"{connection.region}b")
        sold_out = zones[:1] if connection.region == "cn-east-3" else ()
        return FlavorOffers((FlavorOffer(t4, "GPU T4", "1 × T4", "gpu", 1, zones, sold_out),))

    base = replace(BASE, read_offers=offers_of)
    saved = {
        "basics": data(connection="2", display_name="pool-lab"),
        "type": data(type="Dedicate", scope=["Train"]),
        # The chosen (second) connection's region has the flavor sold out in its first zone.
        "resources": rows({"flavor": t4, "count": 1, "zone_0": 1}),
    }
    assert validate_steps(saved, base, until="network")[1] == "resources"
    saved["resources"] = rows({"flavor": t4, "count": 1, "zone_1": 1})
    states, blocking = validate_steps(saved, base, until="network")
    assert blocking is None
    assert states["resources"]["rows"][0]["azs"] == [["cn-east-3b", 1]]
