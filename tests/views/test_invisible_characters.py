"""Characters that change how text reads without being seen (bidi overrides and isolates, direction marks,
zero-width and other format or control characters) show as visible markers on pool pages and on the pages
where a change is requested and approved."""

import re

import pytest
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe

from tests.fixtures.browse import hx_get
from tests.fixtures.sandbox import PROJECT_ID, pool_body

pytestmark = pytest.mark.django_db

HIDDEN = (
    [chr(code) for code in range(0x202A, 0x202F)]  # embeddings and overrides
    + [chr(code) for code in range(0x2066, 0x206A)]  # isolates
    + ["\u200e", "\u200f", "\u061c"]  # direction marks
    + [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
    ]  # zero-width, word joiner, BOM, soft hyphen
    + ["\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\U000e0041"]  # controls, separators, a tag
)
ANY_HIDDEN = re.compile("[" + "".join(re.escape(char) for char in HIDDEN) + "]")
# The description reads "Backup of fdp.exe" on screen, while it holds "Backup of " + RLO + "exe.pdf".
TRICK = "Backup of \u202eexe.pdf\u202c"
SHOWN = "Backup of ⟨U+202E⟩exe.pdf⟨U+202C⟩"


@pytest.mark.parametrize("char", HIDDEN, ids=lambda char: f"U+{ord(char):04X}")
def test_each_hidden_character_becomes_a_visible_marker(char):
    from pools.templatetags.browse import reveal

    assert reveal(f"a{char}b") == f"a⟨U+{ord(char):04X}⟩b"


def test_visible_text_stays_as_it_is():
    from pools.templatetags.browse import reveal

    text = "pool-a, Café 中文 ✓ 🚀\ttab\nline"
    assert reveal(text) == text
    assert reveal(None) is None and reveal(3) == 3
    assert isinstance(reveal(mark_safe("<b>x\u202e</b>")), str)


def test_the_filter_keeps_escaping_and_safe_text_safe(rf):
    from django.template import engines

    from pools.templatetags.browse import reveal

    template = engines["django"].from_string("{% load browse %}{{ text|reveal }}|{{ safe|reveal }}")
    html = template.render({"text": "<i>\u202e</i>", "safe": mark_safe("<b>\u202e</b>")})
    assert html == "&lt;i&gt;⟨U+202E⟩&lt;/i&gt;|<b>⟨U+202E⟩</b>"
    assert not isinstance(reveal("x"), SafeData)


@pytest.fixture
def tricky_pool(seeded_sandbox, sandbox_connection):
    """A Running pool whose description, display name, labels and status message hide characters."""
    created = seeded_sandbox.create_pool(
        PROJECT_ID, pool_body("tricky-pool", annotations={"os.modelarts/description": TRICK})
    )
    seeded_sandbox.settle()
    name = created["metadata"]["name"]
    record = seeded_sandbox.store.find(PROJECT_ID, name)
    # ModelArts' own checks are not ours to rely on: names and labels as a less careful service might keep them.
    record.labels["os.modelarts/name"] = "tricky\u200b-pool"
    record.labels["owner\u2066"] = "team\u202eb"
    return name


def test_the_pool_list_shows_hidden_characters(browse, tricky_pool):
    html = browse.get(reverse("pools:pool_list")).content.decode()
    assert SHOWN in html and "tricky⟨U+200B⟩-pool" in html
    assert not ANY_HIDDEN.search(html)


def test_the_pool_page_shows_hidden_characters(browse, tricky_pool, sandbox_connection):
    html = browse.get(
        reverse("pools:pool_detail", args=[sandbox_connection.pk, tricky_pool])
    ).content.decode()
    assert SHOWN in html
    assert "<h1>tricky⟨U+200B⟩-pool" in html and "<title>tricky⟨U+200B⟩-pool" in html
    assert "owner⟨U+2066⟩" in html and "team⟨U+202E⟩b" in html
    assert not ANY_HIDDEN.search(html)


def test_the_overview_card_shows_hidden_characters(browse, tricky_pool, sandbox_connection):
    html = hx_get(browse, reverse("pools:overview_card", args=[sandbox_connection.pk])).content.decode()
    assert "tricky⟨U+200B⟩-pool</a>" in html
    assert not ANY_HIDDEN.search(html)


def test_approvers_see_hidden_characters_in_what_they_approve(
    client, operator, approver, tricky_pool, sandbox_connection, locmem_cache
):
    from pools.services.change_requests import change_request_create

    change_request = change_request_create(
        user=operator,
        connection=sandbox_connection,
        kind="delete_pool",
        target=tricky_pool,
        body=None,
        reason="Replaced by \u202eno-lmth\u202c; see the\u200b ticket.",
        idempotency_key="hidden-characters",
    )
    client.force_login(approver)
    for url in (
        reverse("pools:approvals"),
        reverse("pools:change-request-detail", args=[change_request.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Replaced by ⟨U+202E⟩no-lmth⟨U+202C⟩; see the⟨U+200B⟩ ticket." in html, url
        assert not ANY_HIDDEN.search(html), url
    client.force_login(operator)
    html = client.get(reverse("pools:delete_pool_request", args=[sandbox_connection.pk, tricky_pool])).content
    assert "<h1>Request to delete pool tricky⟨U+200B⟩-pool</h1>" in html.decode()
    assert "<strong>tricky⟨U+200B⟩-pool</strong>" in html.decode()
