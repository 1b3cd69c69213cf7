"""Input rules shared by forms, the admin and services, so every entry point rejects the same values.

Error texts are constants: tests assert on them. A message never repeats a secret the user typed.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.core.wording import listed

ENDPOINT_FORMAT = _("Enter an endpoint as http(s)://host[:port], without a path, query or credentials.")
PROJECT_ID_FORMAT = _("A project id is 1–64 letters, digits or hyphens.")
HEADER_ID_FORMAT = _("Use 1–64 letters, digits, hyphens or underscores.")
KEY_FORMAT = _("A key is 1–256 printable characters without spaces.")
# The dates a filter or a time range may name. Python's calendar ends at 9999-12-31, and a filter adds a day
# or a zone offset to what it is given, so a date near either end would overflow (a 500, not an answer).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_OUT_OF_RANGE = format_lazy(
    _("Enter a date from {earliest} to {latest}."),
    earliest=EARLIEST_DATE.isoformat(),
    latest=LATEST_DATE.isoformat(),
)
# Whole sentences for one character and for several, so that no English word is put into another language.
INVISIBLE_CHARACTER = _(
    "Remove the invisible character {character}: it can make the text read differently from what it says."
)
INVISIBLE_CHARACTERS = _(
    "Remove the invisible characters {characters}: they can make the text read differently from what it says."
)

_PROJECT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# Sent as a header or query value: nothing that could end a header line or need escaping.
_HEADER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY = re.compile(r"[\x21-\x7e]{1,256}")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def normalize_endpoint(value: str) -> str:
    """Trim spaces and one trailing slash, which people paste and which mean nothing here."""
    value = value.strip()
    return value[:-1] if value.endswith("/") and not value.endswith("//") else value


def _is_hostname(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in host.split("."))


def validate_endpoint(value: str) -> None:
    """``http(s)://host[:port]`` and nothing else: no path, query, fragment or user:password@."""
    if not value:
        return
    if any(ch.isspace() for ch in value):
        raise ValidationError(ENDPOINT_FORMAT, code="endpoint")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise ValidationError(ENDPOINT_FORMAT, code="endpoint") from error
    if (
        parts.scheme not in {"http", "https"}
        or "@" in parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
        or not parts.hostname
        or not _is_hostname(parts.hostname)
        or (port is not None and port == 0)
    ):
        raise ValidationError(ENDPOINT_FORMAT, code="endpoint")


def validate_project_id(value: str) -> None:
    if not _PROJECT_ID.fullmatch(value or ""):
        raise ValidationError(PROJECT_ID_FORMAT, code="project_id")


def validate_header_id(value: str) -> None:
    """For X-ModelArts-User-ID and the workspace id; blank is allowed where the field is optional."""
    if value and not _HEADER_ID.fullmatch(value):
        raise ValidationError(HEADER_ID_FORMAT, code="header_id")


def validate_key(value: str) -> None:
    if value and not _KEY.fullmatch(value):
        raise ValidationError(KEY_FORMAT, code="key")


def validate_supported_date(value: date | datetime) -> None:
    """A date (or the day of a datetime) from ``EARLIEST_DATE`` to ``LATEST_DATE``."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")


# Unicode categories that draw nothing (or reorder what follows): controls, format characters (the
# bidirectional overrides and isolates U+202A–U+202E and U+2066–U+2069, zero-width spaces and joiners, the
# byte-order mark), line and paragraph separators, surrogates and unassigned code points.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})
# Letters that render as blank space.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _describe_character(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else "")


def is_invisible(character: str) -> bool:
    """A character that is not seen (or reorders what follows): refused in our forms, shown as a marker on
    pages (the ``reveal`` filter). Tab and line breaks are seen, as layout."""
    return character not in _ALLOWED_CONTROLS and (
        unicodedata.category(character) in _INVISIBLE_CATEGORIES or character in _BLANK_LETTERS
    )


def invisible_characters_problem(value: str) -> str | None:
    """What is wrong with ``value`` if it holds characters that are not seen, in the reader's language; None
    when nothing is (for services, which refuse with ApplicationError rather than a form's ValidationError)."""
    found = [_describe_character(ch) for ch in dict.fromkeys(ch for ch in value if is_invisible(ch))]
    if len(found) == 1:
        return INVISIBLE_CHARACTER.format(character=found[0])
    return INVISIBLE_CHARACTERS.format(characters=listed(found)) if found else None


def validate_no_invisible_characters(value: str) -> None:
    """Refuse text with characters that are not seen, so what a reader sees is what was written."""
    problem = invisible_characters_problem(value)
    if problem:
        raise ValidationError(problem, code="invisible")
