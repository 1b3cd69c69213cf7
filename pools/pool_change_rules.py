"""The rules of the pool changes (scale, edit, tags), once: the forms check them for field errors and the
change-request kinds check them again before filing and before running. ModelArts' own limits, as
docs/modelarts-api.md records them. The texts that state them are lazy: they read in the language of the
page that shows them."""

from __future__ import annotations

import re

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pools.core.wording import listed

# PatchPool
SCOPES = ("Train", "Infer", "Notebook")
UPDATE_STRATEGIES = ("idle", "force")
MAX_DESCRIPTION = 256
DESCRIPTION_FORBIDDEN = re.compile(r"[!<>=&\"']")
DRIVER_VERSION = re.compile(r"^[0-9][0-9A-Za-z.\-]{0,31}$")
MAX_NODES_PER_FLAVOR = 1000
AUTO_PAY_ON = "1"  # what the Terraform provider sends in os.modelarts/auto.pay when a yearly pool grows

# Pool tags (TMS)
MAX_TAGS_PER_POOL = 20
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 255
TAG_KEY = re.compile(r"^[\w .:=+\-@]+$")
TAG_VALUE = re.compile(r"^[\w .:/=+\-@]*$")
SYSTEM_TAG_PREFIX = "_sys_"

DESCRIPTION_RULE = format_lazy(
    _("At most {limit} characters, none of ! < > = & \" '."), limit=MAX_DESCRIPTION
)
DRIVER_VERSION_RULE = _("A version such as 535.161.08 or 23.0.6.")
TAG_KEY_RULE = format_lazy(
    _(
        "1–{limit} characters: letters, digits, spaces and _ . : = + - @, no space at either end, "
        "not starting with {prefix}."
    ),
    limit=MAX_TAG_KEY,
    prefix=SYSTEM_TAG_PREFIX,
)
TAG_VALUE_RULE = format_lazy(
    _("At most {limit} characters: letters, digits, spaces and _ . : / = + - @."), limit=MAX_TAG_VALUE
)
TOO_MANY_TAGS = _("A pool has at most {limit} tags; this change would leave it {count}.")


def description_problem(text: str) -> str | None:
    if len(text) > MAX_DESCRIPTION or DESCRIPTION_FORBIDDEN.search(text):
        return DESCRIPTION_RULE
    return None


def driver_version_problem(version: str) -> str | None:
    return None if DRIVER_VERSION.match(version) else DRIVER_VERSION_RULE


def tag_key_problem(key: str) -> str | None:
    if (
        not key
        or len(key) > MAX_TAG_KEY
        or key != key.strip()
        or not TAG_KEY.match(key)
        or key.startswith(SYSTEM_TAG_PREFIX)
    ):
        return TAG_KEY_RULE
    return None


def tag_value_problem(value: str) -> str | None:
    if len(value) > MAX_TAG_VALUE or not TAG_VALUE.match(value):
        return TAG_VALUE_RULE
    return None


ADDED_AND_REMOVED = _("A tag cannot be both removed and added in one request: {keys}.")


def tags_after(current: dict[str, str], add: dict[str, str], remove: list[str]) -> dict[str, str]:
    """The pool's tags once ``remove`` are gone and ``add`` are set (the removing call runs first)."""
    kept = {key: value for key, value in current.items() if key not in set(remove)}
    return {**kept, **add}


def tag_change_problem(current: dict[str, str], add: dict[str, str], remove: list[str]) -> str | None:
    """Why the change cannot be made as a whole: a key both removed and added, or too many tags after it."""
    both = sorted(set(add) & set(remove))
    if both:
        return ADDED_AND_REMOVED.format(keys=listed(both))
    count = len(tags_after(current, add, remove))
    if count > MAX_TAGS_PER_POOL:
        return TOO_MANY_TAGS.format(limit=MAX_TAGS_PER_POOL, count=count)
    return None
