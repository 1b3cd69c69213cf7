from pools.forms.pool_wizard import messages
from tests.forms.pool_wizard.helpers import data, errors


def test_review_needs_a_reason():
    assert errors("review", data(reason="  "))["reason"] == [messages.REASON_REQUIRED]
