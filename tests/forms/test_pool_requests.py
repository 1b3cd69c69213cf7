"""The confirmations of the destructive requests (pools/forms/pool_requests.py)."""

from pools.forms.pool_requests import DeletePoolForm, nodes_being_deleted, remaining_nodes
from pools.modelarts.types import Node, Pool


def pool_named(display_name: str, name: str = "pool-4f2a") -> Pool:
    return Pool.parse({"metadata": {"name": name, "labels": {"os.modelarts/name": display_name}}})


def test_the_confirmation_help_shows_hidden_characters_of_the_pool_name_as_markers():
    """A bidi override in the name must not make the text to type read differently from what it is."""
    form = DeletePoolForm(pool=pool_named("pool\u202eab\u200b"))

    help_text = str(form.fields["confirmation"].help_text)

    assert help_text == "“pool⟨U+202E⟩ab⟨U+200B⟩” or “pool-4f2a”."
    assert "\u202e" not in help_text and "\u200b" not in help_text


def test_the_confirmation_help_escapes_the_names():
    form = DeletePoolForm(pool=pool_named("<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in str(form.fields["confirmation"].help_text)


def test_the_confirmation_still_takes_the_name_as_modelarts_spells_it():
    pool = pool_named("pool\u200bx")
    typed = DeletePoolForm({"confirmation": "pool\u200bx", "reason": "r"}, pool=pool)
    assert typed.is_valid(), typed.errors


def node(name: str, phase: str) -> Node:
    return Node.parse({"metadata": {"name": name}, "status": {"phase": phase}})


def test_nodes_being_deleted_do_not_count_as_remaining():
    nodes = [node("a", "Available"), node("b", "Deleting"), node("c", "Available")]
    assert [n.name for n in nodes_being_deleted(nodes)] == ["b"]
    assert [n.name for n in remaining_nodes(nodes, ["a"])] == ["c"]
