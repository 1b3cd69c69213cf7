"""Every text the create-pool wizard shows: error texts (the tests assert on them) and notes."""

from __future__ import annotations

from pools.modelarts.vocabulary import DISPLAY_NAME_RULE

# --- basics --------------------------------------------------------------------------------------------------
DISPLAY_NAME_INVALID = f"Use {DISPLAY_NAME_RULE}."
DISPLAY_NAME_HELP = f"{DISPLAY_NAME_RULE}."
NODE_PREFIX_INVALID = (
    "Use 1–16 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'."
)
WORKSPACE_INVALID = "A workspace id is 1–64 letters, digits or '-'; use 0 for the default workspace."
LABEL_LINE_INVALID = "Line {line}: write one label per line as key=value."
LABEL_KEY_INVALID = (
    "Line {line}: '{key}' is not a valid label key (letters, digits, '-', '_', '.', up to 63)."
)
LABEL_VALUE_INVALID = "Line {line}: the value of '{key}' must be up to 63 letters, digits, '-', '_' or '.'."
LABEL_RESERVED = "Line {line}: '{key}' is set by ModelArts or by the fields above; choose another key."
LABEL_DUPLICATE = "Line {line}: '{key}' is given twice."
LABELS_TOO_MANY = "At most {limit} labels."
CONNECTION_INVALID = "Choose one of the connections you may use."

# --- a pool name that is taken (first step, review, filing) --------------------------------------------------
NAME_TAKEN_BY_POOL = (
    "Connection “{connection}” already has a pool named {name} in workspace {workspace} ({pools}); "
    "choose another name."
)
NAME_TAKEN_BY_REQUEST = (
    "Change request #{pk} ({status}) already asks to create a pool named {name} in workspace {workspace} of "
    "connection “{connection}”; choose another name."
)
NAME_UNCHECKED = (
    "Whether a pool named {name} already exists could not be checked: {problem} You may go on; the name "
    "is checked again on the review and when the request is filed."
)
NAME_UNCHECKED_AT_REVIEW = (
    "Whether a pool named {name} already exists could not be checked now; it is checked again when the "
    "request is filed."
)

# --- type, resources, network --------------------------------------------------------------------------------
SCOPE_REQUIRED = "Choose at least one job type."
ROWS_REQUIRED = "Add at least one flavor."
ROW_FLAVOR_DUPLICATE = "Each flavor once: raise the count of the first row instead."
MAX_COUNT_NOT_EQUAL = (
    "A physical (Dedicate) pool has no elastic part: leave this empty or equal to the count."
)
MAX_COUNT_BELOW_COUNT = "The elastic maximum cannot be below the count."
AZS_SUM = "The zones add up to {total}; they must add up to the count ({count}), or all be left empty."
AZ_SOLD_OUT = "{flavor} is sold out in {zone}."
NETWORK_REQUIRED = "A physical (Dedicate) pool needs a network."
NETWORK_LOGICAL = "A logical pool has no network of its own; leave this empty."
NETWORK_INVALID = "A network id is lowercase letters, digits and '-' (the network's metadata.name)."
JOB_FLAVOR_INVALID = "'{name}' is not a valid job flavor name (letters, digits, '.', '-', '_')."
JOB_FLAVORS_TOO_MANY = "At most {limit} job flavors."
DRIVER_LOGICAL = "Driver versions apply to physical (Dedicate) pools only."
DRIVER_NO_GPU = "None of the chosen flavors has a GPU."
DRIVER_NO_NPU = "None of the chosen flavors has an NPU."
DRIVER_VERSION_INVALID = "A driver version looks like 470.57.02 or 24.1.rc2."

# --- billing -------------------------------------------------------------------------------------------------
PERIOD_TYPE_REQUIRED = "Choose monthly or yearly."
PERIOD_NUM_REQUIRED = "Say how many months or years."
PERIOD_MONTHS_RANGE = "Monthly subscriptions run 1 to 9 months."
PERIOD_YEARS_RANGE = "Yearly subscriptions run 1 to 3 years."
# Where a subscription's order comes from (the pool's order.id annotation; the SDK's auto.pay annotation).
ORDER_MADE_ON_CREATE = (
    "There is no order id to enter: ModelArts makes the order for this subscription when it creates the "
    "pool, and records the order's id on the pool (its page shows it)."
)
ORDER_PAID_AUTOMATICALLY = "With auto-pay on, that order is paid automatically."
ORDER_PAID_IN_CONSOLE = (
    "With auto-pay off, someone must pay that order in the Huawei Cloud console (Billing Center) before "
    "the pool is built; until then the pool waits (counted as pending)."
)

# --- review and filing ---------------------------------------------------------------------------------------
REASON_REQUIRED = "Say why this change is needed; approvers read it."
# The body the wizard built fails the check every CreatePool body passes before it is filed.
BODY_REFUSED = "This request cannot be filed: the CreatePool body is invalid: {problem}. Nothing was filed."
FILED = "Change request #{pk} to create pool “{name}” is waiting for approval."
CANCELLED = "The create-pool wizard was cancelled; nothing was requested."

# --- the wizard's state in the session -----------------------------------------------------------------------
NOT_IN_SESSION = "That create-pool wizard is no longer in your session; here is a fresh one."
WIZARD_TOO_LARGE = (
    "This step was not kept: with it the wizard would hold {size} KiB of form data, more than the {limit} KiB "
    "a wizard may keep. Shorten the longest fields and try again."
)
