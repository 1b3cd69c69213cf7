"""What the change-request services say: refusals and outcomes, as constants the tests assert on.

Permission problems are raised as PermissionDenied (the views answer 403), the rest as ApplicationError.
"""

# Each kind's own refusals live with the kind; named here too so every change-request text has one address.
from django.utils.translation import gettext_lazy as _

from pools.change_kinds.messages import (  # noqa: F401
    BAD_CREATE_BODY,
    BAD_DISPLAY_NAME,
    BAD_NODE_LIST,
    BAD_POOL_ID,
    DELETE_POOL_TAKES_NO_BODY,
)

# --- refusals: who may do what -------------------------------------------------------------------------------
CANNOT_REQUEST = _("You may not request pool changes.")
CANNOT_DECIDE = _("You may not approve, reject or run change requests.")
OWN_REQUEST = _("You cannot approve, reject or run your own change request; another approver must.")
CANCEL_NOT_OWN = _("Only the person who made a change request can cancel it.")
CANNOT_COMMENT = _("You may not comment on this change request.")

# --- refusals: what was filled in ----------------------------------------------------------------------------
REASON_REQUIRED = _("Say why this change is needed.")
REJECT_COMMENT_REQUIRED = _("Say why you reject this request.")
COMMENT_REQUIRED = _("Write a comment first.")
COMMENT_TOO_LONG = _("Keep comments under 5000 characters.")
IDEMPOTENCY_KEY_REQUIRED = _("The form is missing its submission key; reload the page and try again.")
SUBMISSION_REUSED = _(
    "Change request #{pk} was already filed from this form, with other values. To ask for this change, start "
    "again from a new form (through the API: with a new Idempotency-Key)."
)
UNKNOWN_KIND = _("Choose what to change.")
TARGET_REQUIRED = _("Name the pool this change is about.")

# --- refusals: the request's state ---------------------------------------------------------------------------
ALREADY_APPROVED = _("You have already approved this request.")
NOT_PENDING = _("Change request #{pk} is {status}; only a pending request can be {action}.")
EXPIRED = _("Change request #{pk} expired on {when}; make a new request if the change is still needed.")
NOT_IN_PROGRESS = _("Change request #{pk} is {status}; only a change in progress can be checked.")
NOT_APPROVED = _("Change request #{pk} is {status}; only an approved request can be executed.")
NOT_FAILED = _(
    "Change request #{pk} is {status}; only a failed request, or one whose outcome is unknown, "
    "can be retried."
)
RUN_EXPIRED = _(
    "Change request #{pk} expired on {when}; it can no longer be run. Make a new request if the change is "
    "still needed."
)
ALREADY_REQUESTED = _(
    "Change request #{pk} already asks for this ({status}); follow it there instead of filing another."
)
NOT_APPROVABLE = _(
    "Not approved: the live state no longer allows this change. {problems} Reject it, or its requester can "
    "cancel it."
)
STILL_UNKNOWN = _(
    "Nothing was sent: ModelArts shows no sign of change request #{pk} yet, but the last call may still be "
    "applied. It can be sent again after {when} if it still does not show by then."
)
CHECKING_LOST_CHANGE = _("Checking whether the change whose answer was lost was made")
CHECKING_REQUEST = _("Checking change request #{pk}")

# --- outcomes of an execution (the request's result message) -------------------------------------------------
REVALIDATION_FAILED = _("Not executed: the live state no longer allows this change. {problems}")
REACHED_NOTHING = _("Not executed: {message}")
CONFIRMED_BY_QUERY = _("ModelArts shows the change was made (checked after {why}).")
NOT_FOUND_YET = _(
    "ModelArts shows no sign of the change yet (checked after {why}), but a slow ModelArts may still apply "
    "it. It is checked again; it is sent again only if it still does not show after {when}."
)
NOT_MADE_AFTER_GRACE = _(
    "ModelArts still shows no sign of the change {grace} after it was sent (checked after {why}), so it "
    "was not made. It can be retried; a retry checks again before sending anything."
)
OUTCOME_UNCHECKED = _(
    "The answer was lost ({error}) and the outcome could not be checked yet; ModelArts is asked again "
    "before anything is sent."
)
ACCEPTED_IN_PROGRESS = _(
    "ModelArts accepted the change and is making it; this page follows it until it is complete."
)
FOUND_IN_PROGRESS = _("ModelArts shows the change under way (checked after {why}): {progress}")
FAILED_AT_MODELARTS = _("ModelArts took the change but it failed there (checked after {why}): {progress}")
COMPLETED = _("ModelArts shows the change complete: {progress}")
IN_PROGRESS_NOW = _("In progress: {progress}")
DID_NOT_COMPLETE = _(
    "ModelArts did not complete the change within {limit} of the call: {progress}. Look at the pool before "
    "making a new request."
)
FOLLOWING = _("following a change in progress")
EXPIRED_BEFORE_RUN = _("Not executed: the request expired on {when} before it ran.")
UNEXPECTED = _("Execution stopped on an unexpected error ({error}); the outcome is checked before any retry.")
# ModelArts answered the call with an error: its title, in the language of whoever ran the request.
REFUSED_BY_MODELARTS = _("{title}.")

NO_DETAILS = _("no details")
NO_DETAILS_YET = _("no details yet")

# --- why a lost change was looked up (in the outcome and the audit entry) -----------------------------------
LOST_ANSWER = _("the answer to the call was lost")
LATER_CHECK = _("a later check of a lost answer")
RETRY_CHECK = _("a retry of a lost answer")
INTERRUPTED = _("an interrupted execution")

# --- the scheduled job's report ------------------------------------------------------------------------------
UNRESOLVED_UNCHECKED = _("ModelArts could not be asked; left for the next run.")
UNRESOLVED_NOT_SEEN = _("Outcome still unknown: nothing shows yet; checked again later.")
