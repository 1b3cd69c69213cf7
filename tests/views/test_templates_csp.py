"""Our templates hold nothing the Content-Security-Policy would block: every script and style is a file.

The browser test (tests/e2e/test_csp.py) proves the pages run under the policy; this scan names the file
and line of anything that would not, before a browser ever loads it.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "pools" / "templates"]

BLOCKED = {
    # A JSON data block is not executed, so the policy lets it be.
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/json)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on attribute": re.compile(r"\s(?:data-)?hx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    # Needs htmx's eval, which the meta config turns off.
    "js: in hx-vals/hx-vars": re.compile(r"\s(?:data-)?hx-(?:vals\s*=\s*[\"']\s*js:|vars\s*=)", re.I),
}
HX_TRIGGER = re.compile(r"\s(?:data-)?hx-trigger\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)


def has_trigger_filter(line: str) -> bool:
    """``click[ctrlKey]`` is a filter (evaluated); ``from:find input[name=q]`` is a selector (not)."""
    for match in HX_TRIGGER.finditer(line):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if any("[" in (spec.split() or [""])[0] for spec in value.split(",")):
            return True
    return False


def templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS if d.exists() for p in d.rglob("*.html"))


def findings_in(text: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        found.extend((number, what) for what, pattern in BLOCKED.items() if pattern.search(line))
        if has_trigger_filter(line):
            found.append((number, "hx-trigger filter"))
    return found


def test_there_are_templates_to_scan():
    assert len(templates()) >= 3


def test_no_template_has_inline_script_style_or_handlers():
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {what}"
        for path in templates()
        for number, what in findings_in(path.read_text())
    ]
    assert not problems, "blocked by the Content-Security-Policy:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<script type="module">go()</script>', "inline <script>"),
        ('<div style="color: red">', "style attribute"),
        ("<style>.x{}</style>", "<style> element"),
        ('<button onclick="go()">', "event handler attribute"),
        ('<form hx-on::after-request="this.reset()">', "hx-on attribute"),
        ('<a href="javascript:go()">', "javascript: URL"),
        ("<div hx-vals='js:{a: 1}'>", "js: in hx-vals/hx-vars"),
        ("<div hx-trigger=\"keyup[key=='Enter']\">", "hx-trigger filter"),
        ('<div hx-trigger="load, click[ctrlKey] from:body">', "hx-trigger filter"),
    ],
)
def test_the_scan_finds_each_kind(snippet, expected):
    assert expected in [what for _, what in findings_in(snippet)]


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/app.js" defer></script>',
        '<script id="data" type="application/json">{"a": 1}</script>',
        '<div class="stylish" data-style-name="x">',
        '<div hx-get="/" hx-trigger="load, every 5s">',
        '<form hx-trigger="submit, input changed delay:400ms from:find input[name=q]">',
        "<p>Ons on the dial</p>",
    ],
)
def test_the_scan_lets_the_allowed_be(snippet):
    assert findings_in(snippet) == []
