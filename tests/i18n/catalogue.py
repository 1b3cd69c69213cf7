"""Reads a gettext catalogue (.po) as written by makemessages: entries with their flags, ids and translations."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path


@dataclasses.dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = dataclasses.field(default_factory=dict)
    flags: set[str] = dataclasses.field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (\".*\")$")


def read_catalogue(path: Path) -> list[Entry]:
    """The entries of ``path`` (the header, whose msgid is empty, left out)."""
    entries: list[Entry] = []
    entry, field = Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if field is not None and entry.msgid:
                entries.append(entry)
            entry, field = Entry(), None
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, field, ast.literal_eval(line))
        elif match := _KEYWORD.match(line):
            name, index, text = match.groups()
            field = (name, int(index or 0)) if name == "msgstr" else (name, None)
            _set(entry, field, ast.literal_eval(text))
        else:
            raise ValueError(f"{path}: cannot read {line!r}")
    return entries


def _set(entry: Entry, field, value: str) -> None:
    name, index = field
    if name == "msgstr":
        entry.msgstr[index] = value
    else:
        setattr(entry, name, value)


def _append(entry: Entry, field, value: str) -> None:
    name, index = field
    if name == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, name, getattr(entry, name) + value)
