"""What each node action asks of the nodes it is filed for: the node states ModelArts accepts, the lock,
the drain limit, whether a rolling reset is possible. One set of rules for the forms (field errors), the
change-request kinds (refusals when filing and approving) and the live checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.core.wording import listed


class NodeLike(Protocol):
    """A node as the rules need it: a ``Node`` as read, or a ``NodeState`` kept in a live state."""

    name: str
    phase: str
    locked_actions: Sequence[str]
    flavor: str


@dataclass(frozen=True)
class NodeState:
    name: str
    phase: str
    locked_actions: tuple[str, ...] = ()
    flavor: str = ""


REBOOT, DRAIN, LOCK, UNLOCK, RESET = "reboot", "drain", "lock", "unlock", "reset"
ACTIONS = (REBOOT, DRAIN, LOCK, UNLOCK, RESET)
# Texts, asserted on by the tests; formatted when used, so they read in the language of whoever reads them.
TOO_MANY_TO_DRAIN = gettext_lazy(
    "Drain at most 10 nodes at a time (ModelArts refuses more); deselect some nodes."
)
# One sentence per action (not a verb put into one), so that each language can word it as it needs.
WRONG_STATE = {
    REBOOT: gettext_lazy("These nodes cannot be rebooted now: {names}."),
    DRAIN: gettext_lazy("These nodes cannot be drained now: {names}."),
    LOCK: gettext_lazy("These nodes cannot be locked now: {names}."),
    UNLOCK: gettext_lazy("These nodes cannot be unlocked now: {names}."),
    RESET: gettext_lazy("These nodes cannot be reset now: {names}."),
}
NOT_LOCKED = gettext_lazy("These nodes are not locked: {names}.")
ALREADY_LOCKED = gettext_lazy("These nodes are already locked against deletion: {names}.")
LOCKED_CANNOT_DRAIN = gettext_lazy("Locked nodes cannot be drained (unlock them first): {names}.")
NO_ROLLING_ON_VM = gettext_lazy(
    "This pool's nodes are virtual machines: ModelArts resets them without a rolling strategy."
)
MAX_UNAVAILABLE_REQUIRED = gettext_lazy("Say how many nodes may be reset at once.")
PERCENT_RANGE = gettext_lazy("A percentage from 1 to 100.")
# The node phases each action accepts (ModelArts refuses the others).
ALLOWED_PHASES = {
    REBOOT: ("Available", "Abnormal"),
    DRAIN: ("Available",),
    RESET: ("Available", "Abnormal"),
    LOCK: ("Available", "Abnormal", "Creating", "Rebooting", "Resetting", "Checking"),
    UNLOCK: ("Available", "Abnormal", "Creating", "Rebooting", "Resetting", "Checking"),
}


def short_names(nodes: list[str]) -> str:
    return listed(name[:80] for name in nodes[:10]) + (" …" if len(nodes) > 10 else "")


def rolling_allowed(nodes: Sequence[NodeLike]) -> bool:
    """Whether ModelArts takes a rolling strategy for resetting these nodes: not for virtual machines."""
    return not any(".vm." in node.flavor for node in nodes)


def action_problem(action: str, nodes: Sequence[NodeLike]) -> str | None:
    """Why ``action`` cannot be asked for these nodes now, or None."""
    wrong = [
        f"{node.name} ({node.phase or _('no status')})"
        for node in nodes
        if node.phase not in ALLOWED_PHASES[action]
    ]
    if wrong:
        return WRONG_STATE[action].format(names=short_names(wrong))
    if action == DRAIN and (locked := [node.name for node in nodes if node.locked_actions]):
        return LOCKED_CANNOT_DRAIN.format(names=short_names(locked))
    if action == LOCK and (locked := [node.name for node in nodes if "delete" in node.locked_actions]):
        return ALREADY_LOCKED.format(names=short_names(locked))
    if action == UNLOCK and (free := [node.name for node in nodes if "delete" not in node.locked_actions]):
        return NOT_LOCKED.format(names=short_names(free))
    return None
