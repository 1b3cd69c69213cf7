"""The English a command's output or ``--help`` still shows, found as ``page_text`` finds it on a page.

What is an identifier is left out by its form: web addresses, options (``--port``, ``-v``), names in capitals
(metavars, settings, environment variables), argparse's choices and JSON examples in braces, quoted literals,
phases as ModelArts names them (Creating, Error), and the few names in ``NAMES``.
"""

from __future__ import annotations

import re

from tests.i18n.page_text import PHASES, TOKEN, is_ui_word

IDENTIFIERS = (
    re.compile(r"\w+://\S+"),  # an address
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),  # an option
    re.compile(r"\{[^{}]*\}"),  # argparse's choices, a JSON example
    re.compile(r"'[^']*'"),  # a quoted literal: a log line to look for, a queue name
    re.compile(r"\b[A-Z][A-Z0-9_]*\b"),  # a metavar, a setting, an environment variable
    re.compile(r"[^\x00-\x7f]"),  # Chinese (so that an English word written against it is still a word)
)
NAMES = {"reset": "a control endpoint of the sandbox, /_sandbox/reset, listed with its siblings"}


def english_left(text: str) -> list[str]:
    """The lines of ``text`` that still hold a common English interface word outside identifiers (shown with
    the identifiers blanked out; a quoted literal may run over two lines of ``--help``)."""
    for identifier in IDENTIFIERS:
        text = identifier.sub(" ", text)
    return [line.strip() for line in text.splitlines() if english_words(line)]


def english_words(text: str) -> list[str]:
    return [
        token
        for token in TOKEN.findall(text)
        if token not in PHASES and token not in NAMES and is_ui_word(token)
    ]
