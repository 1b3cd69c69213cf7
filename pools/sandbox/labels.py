"""ListPools' ``labelSelector``, in the Kubernetes equality-based syntax.

Requirements are separated by commas and must all hold:

* ``key=value`` or ``key==value`` — the label is present with that value;
* ``key!=value`` — the label is absent or has another value;
* ``key`` — the label is present (any value);
* ``!key`` — the label is absent.

White space around keys and values is ignored. Set-based forms (``in``, ``notin``) are not supported and,
like any other malformed selector, answer 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

EQUALS = "="
NOT_EQUALS = "!="
EXISTS = "exists"
ABSENT = "!exists"

KEY = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?")
VALUE = re.compile(r"([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?")


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    value: str = ""

    def holds(self, labels: Mapping[str, str]) -> bool:
        if self.operator == EXISTS:
            return self.key in labels
        if self.operator == ABSENT:
            return self.key not in labels
        if self.operator == EQUALS:
            return labels.get(self.key) == self.value
        return labels.get(self.key) != self.value


def _requirement(term: str) -> Requirement:
    if "!=" in term:
        key, _, value = term.partition("!=")
        operator = NOT_EQUALS
    elif "=" in term:
        key, _, value = term.partition("==") if "==" in term else term.partition("=")
        operator = EQUALS
    elif term.startswith("!"):
        key, value, operator = term[1:], "", ABSENT
    else:
        key, value, operator = term, "", EXISTS
    key, value = key.strip(), value.strip()
    if not KEY.fullmatch(key):
        raise ValueError(f"invalid label key in {term!r}")
    if not VALUE.fullmatch(value):
        raise ValueError(f"invalid label value in {term!r}")
    return Requirement(key, operator, value)


def parse_selector(text: str) -> tuple[Requirement, ...]:
    """The requirements of a selector; ``ValueError`` naming the bad term when malformed."""
    if not text.strip():
        return ()
    return tuple(_requirement(term.strip()) for term in text.split(","))


def matches(requirements: tuple[Requirement, ...], labels: Mapping[str, str]) -> bool:
    return all(requirement.holds(labels) for requirement in requirements)
