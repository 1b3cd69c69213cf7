from pools.forms.pool_wizard import messages
from tests.forms.pool_wizard.helpers import data, errors, state


def test_scope_needs_one_job_type_and_comes_out_in_canonical_order():
    assert errors("type", data(type="Dedicate"))["scope"] == [messages.SCOPE_REQUIRED]
    assert state("type", data(type="Logical", scope=["Notebook", "Train"])) == {
        "type": "Logical",
        "scope": ["Train", "Notebook"],
    }
    assert "type" in errors("type", data(type="Shared", scope=["Train"]))
    assert "scope" in errors("type", data(type="Dedicate", scope=["Train", "Mining"]))
