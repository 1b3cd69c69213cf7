"""Texts of the refusals that belong to one kind's rules (tests assert on these constants).

They are marked for translation and formatted when used, so a refusal reads in the language of whoever
reads it then (the JSON shapes inside them are the API's and stay as they are).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# A pool id (metadata.name) or a node name, as ModelArts makes them.
POOL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

BAD_POOL_ID = _("That is not a pool id (letters, digits, '.', '_' and '-', at most 128 characters).")
# pools.modelarts.vocabulary.DISPLAY_NAME_RULE in the reader's language (a test keeps the English equal).
BAD_DISPLAY_NAME = _(
    "A pool name has 4–64 characters: lowercase letters, digits and '-', starting with a letter and not "
    "ending with '-'."
)
TAKES_NO_BODY = _("{label} sends no body.")
DELETE_POOL_TAKES_NO_BODY = _("Deleting a pool sends no body.")
BAD_NODE_LIST = _('Nodes to delete must be {"deleteNodeNames": [node names]} with at least one name.')
BAD_CREATE_BODY = _("The CreatePool body is invalid: {problem}.")

BEING_DELETED = _("Pool {pool} is already being deleted.")
POOL_GONE = _("Pool {pool} no longer exists.")
NOT_RUNNING = _("Pool {pool} is {phase}, not {running}.")
LOCKED_AGAINST_DELETION = _("Nodes locked against deletion (unlock them first): {names}.")

# Accepting scheduled maintenance (accept_event).
BAD_ACCEPT_BODY = _(
    'Accepting maintenance takes {"eventId", "workspaceId", "nodeName", "eventType", "accept": '
    '{"notBefore"?: "yyyy-MM-ddTHH:mm:ssZ", "redeployConfig"?: {"type": "SOFT"|"HARD", "autoFlow": "true"|"false"}}}.'
)
EVENT_GONE = _("ModelArts no longer lists scheduled event {event}.")
EVENT_OF_ANOTHER_POOL = _("Scheduled event {event} is not about pool {pool}.")
EVENT_NOT_WAITING = _("The maintenance is {state}: it no longer waits for acceptance.")
START_PASSED = _("The chosen start {start} has passed; file a new request with a later start.")
START_AFTER_PLANNED = _("The chosen start {start} is after the planned start {planned}.")
REDEPLOY_NOT_OFFERED = _("The event no longer offers a {kind} redeploy.")
MAINTENANCE_ENDED = _("ModelArts reports the maintenance {state}.")
ACCEPTED_STARTS = _("accepted; the maintenance starts at {start} UTC")
ACCEPTED_UNDER_WAY = _("accepted; the maintenance is under way{progress}")
ACCEPTED_DONE = _("accepted; the maintenance is {state}")
ACCEPTED_OTHER = _("ModelArts shows the event {state}")
