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

# Accepting scheduled maintenance (accept_event).
BAD_ACCEPT_BODY = (
    'Accepting maintenance takes {"eventId", "workspaceId", "nodeName", "eventType", "accept": '
    '{"notBefore"?: "yyyy-MM-ddTHH:mm:ssZ", "redeployConfig"?: {"type": "SOFT"|"HARD", "autoFlow": "true"|"false"}}}.'
)
EVENT_GONE = "ModelArts no longer lists scheduled event {event}."
EVENT_OF_ANOTHER_POOL = "Scheduled event {event} is not about pool {pool}."
EVENT_NOT_WAITING = "The maintenance is {state}: it no longer waits for acceptance."
START_PASSED = "The chosen start {start} has passed; file a new request with a later start."
START_AFTER_PLANNED = "The chosen start {start} is after the planned start {planned}."
REDEPLOY_NOT_OFFERED = "The event no longer offers a {kind} redeploy."
MAINTENANCE_ENDED = "ModelArts reports the maintenance {state}."
ACCEPTED_STARTS = "accepted; the maintenance starts at {start} UTC"
ACCEPTED_UNDER_WAY = "accepted; the maintenance is under way{progress}"
ACCEPTED_DONE = "accepted; the maintenance is {state}"
ACCEPTED_OTHER = "ModelArts shows the event {state}"
