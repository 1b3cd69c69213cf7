"""The check behind test_pages_in_chinese finds English where the interface writes it, and only there."""

from tests.i18n.page_text import english_left, every_english_word, interface_texts


def test_english_in_the_interface_is_found():
    html = '<main><h1>资源池</h1><p>No pools match.</p><input placeholder="name or id"><a title="Refresh">↻</a></main>'
    assert english_left(html) == ["No pools match.", "name or id", "Refresh"]


def test_data_is_left_out():
    html = (
        '<p class="mono">pool of the team</p><code>delete the pool</code><pre>{"status": "Running"}</pre>'
        '<td class="data">Training and notebooks for the vision team</td><time>now</time>'
        "<select><option>the pool</option></select><p>资源池 matrix-pool · cn-north-4a</p>"
    )
    assert english_left(html) == []


def test_a_name_is_one_token_not_words():
    assert english_left("<p>删除 matrix-pool 的节点 os-node-created-m5f7v</p>") == []
    assert english_left("<p>删除 the pool</p>") == ["删除 the pool"]


def test_the_data_element_ends_where_it_closes():
    assert interface_texts('<div><span class="mono">a-b</span>Delete this</div>') == ["Delete this"]


def test_a_badge_is_data_only_when_it_shows_a_phase():
    html = '<span class="badge ok">Running</span><span class="badge warn">Not seen on ModelArts</span>'
    assert english_left(html) == ["Not seen on ModelArts"]


def test_every_english_word_is_found_but_names_ids_acronyms_and_addresses_are_not():
    assert every_english_word("Last test ok: None") == ["Last", "test", "ok", "None"]
    assert every_english_word("Effective endpoint") == ["Effective", "endpoint"]
    assert every_english_word("ModelArts 资源池 | Django 管理") == []
    assert every_english_word("访问密钥（AK） X-ModelArts-User-ID prod-beijing md5 cn-north-4") == []
    assert every_english_word("留空则填写 http(s)://host[:port]。https://modelarts.example.com") == []
