import pytest
from django.core.validators import RegexValidator

from pools.forms.pool_wizard import messages
from pools.forms.pool_wizard.basics import BasicsForm
from pools.modelarts.vocabulary import DISPLAY_NAME
from tests.forms.pool_wizard.helpers import GOOD_BASICS, data, errors, state


def test_basics_defaults_the_workspace_to_the_connections_and_parses_labels():
    assert state(
        "basics", data(**GOOD_BASICS, labels="team=vision\n\n example.com/cost-center = cc-42 ")
    ) == {
        "connection_id": 1,
        "display_name": "pool-vision",
        "description": "",
        "workspace_id": "ws-prod",
        "node_prefix": "",
        "labels": [["team", "vision"], ["example.com/cost-center", "cc-42"]],
    }
    assert (
        state("basics", data(**GOOD_BASICS, workspace_id="0", node_prefix="vis-1"))["node_prefix"] == "vis-1"
    )


@pytest.mark.parametrize(
    "name", ["abc", "Pool-vision", "1pool", "pool-", "pool_vision", "pool vision", "p" * 65, "pööl"]
)
def test_display_name_rules(name):
    assert errors("basics", data(connection="1", display_name=name))["display_name"] == [
        messages.DISPLAY_NAME_INVALID
    ]


@pytest.mark.parametrize("name", ["pool", "a-b1", "p" * 64, "pool--x9"])
def test_display_names_that_pass(name):
    assert state("basics", data(connection="1", display_name=name))["display_name"] == name


def test_connection_must_be_one_the_user_may_use():
    assert errors("basics", data(connection="99", display_name="pool-x"))["connection"] == [
        messages.CONNECTION_INVALID
    ]
    assert "connection" in errors("basics", data(display_name="pool-x"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("team", messages.LABEL_LINE_INVALID.format(line=1)),
        ("=x", messages.LABEL_LINE_INVALID.format(line=1)),
        ("os.modelarts/name=x", messages.LABEL_RESERVED.format(line=1, key="os.modelarts/name")),
        ("a=1\na=2", messages.LABEL_DUPLICATE.format(line=2, key="a")),
        ("bad key=1", messages.LABEL_KEY_INVALID.format(line=1, key="bad key")),
        ("team=two words", messages.LABEL_VALUE_INVALID.format(line=1, key="team")),
    ],
)
def test_label_lines_are_checked_one_by_one(text, message):
    assert errors("basics", data(**GOOD_BASICS, labels=text))["labels"] == [message]


def test_bad_node_prefix_and_workspace():
    found = errors("basics", data(**GOOD_BASICS, node_prefix="-x", workspace_id="a b"))
    assert found["node_prefix"] == [messages.NODE_PREFIX_INVALID]
    assert found["workspace_id"] == [messages.WORKSPACE_INVALID]


def test_the_display_name_rule_is_the_one_the_change_request_service_uses():
    field = BasicsForm.base_fields["display_name"]
    assert [v.regex for v in field.validators if isinstance(v, RegexValidator)] == [DISPLAY_NAME]
