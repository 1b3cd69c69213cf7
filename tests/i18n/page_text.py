"""The words a page shows a reader: its text and its readable attributes, without what comes from data.

What is data is left out by where it sits, as the templates write it: code and preformatted blocks, times,
form values, elements of class ``mono`` (ids, names, keys) or ``data`` (values ModelArts sent), and badges
that show a phase as ModelArts names it. The rest
must be in the page's language.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pools.modelarts.vocabulary import NODE_PHASES, POOL_PHASES

# Elements whose content is data, code or machine text, never the interface's own words.
DATA_ELEMENTS = {"script", "style", "pre", "code", "kbd", "samp", "textarea", "time", "option", "datalist"}
DATA_CLASSES = {"mono", "data"}
# A badge shows either the interface's own word (Queued, Failed) or a phase as ModelArts names it (Running).
PHASES = frozenset((*POOL_PHASES, *NODE_PHASES, "unknown"))
READABLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# Words an English interface cannot do without. Data (pool, node and flavor names, phases, messages from
# ModelArts) sits in the elements above; a word from this list anywhere else is English the page still shows.
UI_WORDS = frozenset(
    """
    a about action actions add added after all an and any approve approved approval approvals are as at audit
    back be before billing by cancel change changes choose comment comments connection connections count
    create created delete deleted details do edit empty error failed filter flavor flavors for from has have
    if in is it its last list load log may more name network new next no node nodes none not now of on one
    only or page pool pools reason refresh reject remove request requested requests reset retry run save scale
    search select show state status step submit switch tag tags test that the there this to type update usage
    use user was what when which who why will with workspace workspaces you your
    """.split()
)
# A token runs over - . / @ : between letters and digits, so names such as matrix-pool or cn-north-4a are
# one token and never a word; only a plain English word (pool, pool's) is looked up.
TOKEN = re.compile(r"\w[\w\-./@:']*")
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: whether it (or an ancestor) is data
        self.badges: list[bool] = []  # per open element: whether it is a badge
        self.texts: list[str] = []

    def _in_data(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        is_data = self._in_data() or tag in DATA_ELEMENTS or bool(classes & DATA_CLASSES)
        if not is_data:
            self.texts.extend(values[name] for name in READABLE_ATTRIBUTES if values.get(name))
        if tag not in VOID:
            self.stack.append(is_data)
            self.badges.append("badge" in classes)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
            self.badges.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()
            self.badges.pop()

    def handle_data(self, data):
        text = data.strip()
        phase = bool(self.badges) and self.badges[-1] and text in PHASES
        if text and not self._in_data() and not phase:
            self.texts.append(text)


def interface_texts(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.texts


def english_left(html: str) -> list[str]:
    """The texts of ``html`` that still hold a common English interface word."""
    return [text for text in interface_texts(html) if any(is_ui_word(token) for token in TOKEN.findall(text))]


def is_ui_word(token: str) -> bool:
    word = token.rstrip(".:'-/@")
    return WORD.fullmatch(word) is not None and word.split("'")[0].lower() in UI_WORDS


# Proper names a Chinese text writes as they are.
NAMES = frozenset({"Arm", "Django", "ModelArts", "Unix"})
ACRONYM = re.compile(r"[A-Z]{2,}")  # AK, SK, ID, UTC
# An address or an address pattern (https://host, http(s)://host[:port]) is data, whatever it spells.
ADDRESS = re.compile(r"\S*://\S*")


def every_english_word(text: str) -> list[str]:
    """Every English word of ``text``, not only the common ones: what a page read in Chinese must not show
    outside data. Names and ids (one token with - . / @ : or digits), acronyms, addresses and the proper
    names above are not words."""
    words = []
    for token in TOKEN.findall(ADDRESS.sub(" ", text)):
        word = token.rstrip(".:'-/@")
        if WORD.fullmatch(word) and not ACRONYM.fullmatch(word) and word not in NAMES:
            words.append(word)
    return words
