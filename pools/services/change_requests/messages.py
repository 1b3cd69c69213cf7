"""What the change-request services say: refusals and outcomes, as constants the tests assert on.

Permission problems are raised as PermissionDenied (the views answer 403), the rest as ApplicationError.
"""

# Each kind's own refusals live with the kind; named here too so every change-request text has one address.
from pools.change_kinds.messages import (  # noqa: F401
    BAD_CREATE_BODY,
    BAD_DISPLAY_NAME,
    BAD_NODE_LIST,
    BAD_POOL_ID,
    DELETE_POOL_TAKES_NO_BODY,
)

# --- refusals: who may do what -------------------------------------------------------------------------------
CANNOT_REQUEST = "You may not request pool changes."
CANNOT_DECIDE = "You may not approve, reject or run change requests."
OWN_REQUEST = "You cannot approve, reject or run your own change request; another approver must."
CANCEL_NOT_OWN = "Only the person who made a change request can cancel it."
CANNOT_COMMENT = "You may not comment on this change request."

# --- refusals: what was filled in ----------------------------------------------------------------------------
REASON_REQUIRED = "Say why this change is needed."
REJECT_COMMENT_REQUIRED = "Say why you reject this request."
COMMENT_REQUIRED = "Write a comment first."
COMMENT_TOO_LONG = "Keep comments under 5000 characters."
IDEMPOTENCY_KEY_REQUIRED = "The form is missing its submission key; reload the page and try again."
UNKNOWN_KIND = "Choose what to change."
TARGET_REQUIRED = "Name the pool this change is about."

# --- refusals: the request's state ---------------------------------------------------------------------------
ALREADY_APPROVED = "You have already approved this request."
NOT_PENDING = "Change request #{pk} is {status}; only a pending request can be {action}."
EXPIRED = "Change request #{pk} expired on {when}; make a new request if the change is still needed."
NOT_IN_PROGRESS = "Change request #{pk} is {status}; only a change in progress can be checked."
NOT_APPROVED = "Change request #{pk} is {status}; only an approved request can be executed."
NOT_FAILED = (
    "Change request #{pk} is {status}; only a failed request, or one whose outcome is unknown, "
    "can be retried."
)
RUN_EXPIRED = (
    "Change request #{pk} expired on {when}; it can no longer be run. Make a new request if the change is "
    "still needed."
)
ALREADY_REQUESTED = (
    "Change request #{pk} already asks for this ({status}); follow it there instead of filing another."
)
NOT_APPROVABLE = (
    "Not approved: the live state no longer allows this change. {problems} Reject it, or its requester can "
    "cancel it."
)
STILL_UNKNOWN = (
    "Nothing was sent: ModelArts shows no sign of change request #{pk} yet, but the last call may still be "
    "applied. It can be sent again after {when} if it still does not show by then."
)
CHECKING_LOST_CHANGE = "Checking whether the change whose answer was lost was made"

# --- outcomes of an execution (the request's result message) -------------------------------------------------
REVALIDATION_FAILED = "Not executed: the live state no longer allows this change. {problems}"
REACHED_NOTHING = "Not executed: {message}"
CONFIRMED_BY_QUERY = "ModelArts shows the change was made (checked after {why})."
NOT_FOUND_YET = (
    "ModelArts shows no sign of the change yet (checked after {why}), but a slow ModelArts may still apply "
    "it. It is checked again; it is sent again only if it still does not show after {when}."
)
NOT_MADE_AFTER_GRACE = (
    "ModelArts still shows no sign of the change {grace} after it was sent (checked after {why}), so it "
    "was not made. It can be retried; a retry checks again before sending anything."
)
OUTCOME_UNCHECKED = (
    "The answer was lost ({error}) and the outcome could not be checked yet; ModelArts is asked again "
    "before anything is sent."
)
ACCEPTED_IN_PROGRESS = (
    "ModelArts accepted the change and is making it; this page follows it until it is complete."
)
FOUND_IN_PROGRESS = "ModelArts shows the change under way (checked after {why}): {progress}"
FAILED_AT_MODELARTS = "ModelArts took the change but it failed there (checked after {why}): {progress}"
COMPLETED = "ModelArts shows the change complete: {progress}"
IN_PROGRESS_NOW = "In progress: {progress}"
DID_NOT_COMPLETE = (
    "ModelArts did not complete the change within {limit} of the call: {progress}. Look at the pool before "
    "making a new request."
)
FOLLOWING = "following a change in progress"
EXPIRED_BEFORE_RUN = "Not executed: the request expired on {when} before it ran."
UNEXPECTED = "Execution stopped on an unexpected error ({error}); the outcome is checked before any retry."

# --- why a lost change was looked up (in the outcome and the audit entry) -----------------------------------
LOST_ANSWER = "the answer to the call was lost"
LATER_CHECK = "a later check of a lost answer"
RETRY_CHECK = "a retry of a lost answer"
INTERRUPTED = "an interrupted execution"

# --- the scheduled job's report ------------------------------------------------------------------------------
UNRESOLVED_UNCHECKED = "ModelArts could not be asked; left for the next run."
UNRESOLVED_NOT_SEEN = "Outcome still unknown: nothing shows yet; checked again later."
