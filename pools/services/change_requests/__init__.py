"""Change requests: the only path by which pools and their nodes are changed (each kind of change is defined
in ``pools/change_kinds/``).

Requested by one person, approved by another (four eyes), executed exactly once, audited at every step.
Callers use this package's functions: ``from pools.services import change_requests`` →
``change_requests.change_request_approve(...)``. The modules, by flow:

- ``messages``: the refusal and outcome texts (constants the tests assert on);
- ``rules``: who may do what, and what a request may ask for;
- ``decisions``: create, approve, reject, cancel, comment, execute, retry (the last three queue the run);
- ``execution``: claim, call ModelArts, settle, and look (reconcile) when an answer was lost;
- ``progress``: following a change ModelArts completes later, until it is complete;
- ``housekeeping``: expiry and the scheduled job (``process_change_requests``);
- ``background``: the task queue: the run of an approved request, and the scheduled job as a task;
- ``events``: the audit entry of each step; ``notifications``: the e-mails.
"""

from pools.services.change_requests.background import change_requests_job_schedule
from pools.services.change_requests.decisions import (
    change_request_approve,
    change_request_cancel,
    change_request_comment,
    change_request_create,
    change_request_execute,
    change_request_reject,
    change_request_retry,
)
from pools.services.change_requests.housekeeping import (
    ProcessSummary,
    change_request_expire,
    change_requests_expire_due,
    process_change_requests,
)
from pools.services.change_requests.progress import change_request_check_progress
from pools.services.change_requests.rules import OpenRequestExists, SubmissionReused

__all__ = [
    "OpenRequestExists",
    "SubmissionReused",
    "ProcessSummary",
    "change_request_approve",
    "change_request_cancel",
    "change_request_check_progress",
    "change_request_comment",
    "change_request_create",
    "change_request_execute",
    "change_request_expire",
    "change_request_reject",
    "change_request_retry",
    "change_requests_expire_due",
    "change_requests_job_schedule",
    "process_change_requests",
]
