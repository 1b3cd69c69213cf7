"""Texts of the refusals that belong to one kind's rules (tests assert on these constants)."""

from __future__ import annotations

import re

from pools.modelarts.vocabulary import DISPLAY_NAME_RULE

# A pool id (metadata.name) or a node name, as ModelArts makes them.
POOL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

BAD_POOL_ID = "That is not a pool id (letters, digits, '.', '_' and '-', at most 128 characters)."
BAD_DISPLAY_NAME = f"A pool name has {DISPLAY_NAME_RULE}."
TAKES_NO_BODY = "{label} sends no body."
DELETE_POOL_TAKES_NO_BODY = TAKES_NO_BODY.format(label="Deleting a pool")
BAD_NODE_LIST = 'Nodes to delete must be {"deleteNodeNames": [node names]} with at least one name.'
BAD_CREATE_BODY = "The CreatePool body is invalid: {problem}."

BEING_DELETED = "Pool {pool} is already being deleted."
POOL_GONE = "Pool {pool} no longer exists."
NOT_RUNNING = "Pool {pool} is {phase}, not {running}."
LOCKED_AGAINST_DELETION = "Nodes locked against deletion (unlock them first): {names}."
