"""Following a change ModelArts completes later (a scale, a reboot, a drain): look at it until it is complete
or has failed, and show how far it got on the request page meanwhile.

The scheduled job follows every request in progress (``follow_in_progress``); the request page's "Check now"
button follows one (``change_request_check_progress``). Both end in the same compare-and-set settle, so a
request is settled once whoever looks first.
"""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from pools.change_kinds import DONE, FAILED
from pools.core.clients import usable_client_for
from pools.core.errors import ApplicationError
from pools.modelarts.errors import ModelArtsError
from pools.models import ChangeRequest
from pools.permissions import APPROVE_CHANGE
from pools.services.change_requests import messages
from pools.services.change_requests.execution import observe, settle
from pools.services.change_requests.rules import require_permission

Status = ChangeRequest.Status
# Still in progress when looked at: not settled, progress text updated.
STILL_IN_PROGRESS = "in_progress"


def follow_timeout() -> timedelta:
    return timedelta(minutes=settings.CHANGE_REQUEST_FOLLOW_TIMEOUT_MINUTES)


def follow(client, change_request: ChangeRequest, user) -> str:
    """Look once at a change in progress and settle it when ModelArts shows it complete (succeeded), failed,
    or still not complete CHANGE_REQUEST_FOLLOW_TIMEOUT_MINUTES after the call (failed). Returns the status it
    is in afterwards. Raises ModelArtsError when ModelArts cannot be asked (nothing changes)."""
    seen = observe(client, change_request)
    attempt = change_request.attempts
    progress = seen.progress or messages.NO_DETAILS_YET
    if seen.state == DONE:
        settle(
            change_request,
            user,
            attempt,
            Status.SUCCEEDED,
            from_status=Status.IN_PROGRESS,
            result_message=messages.COMPLETED.format(progress=progress),
        )
    elif seen.state == FAILED:
        settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            from_status=Status.IN_PROGRESS,
            result_message=messages.FAILED_AT_MODELARTS.format(why=messages.FOLLOWING, progress=progress),
        )
    elif _past_timeout(change_request):
        settle(
            change_request,
            user,
            attempt,
            Status.FAILED,
            from_status=Status.IN_PROGRESS,
            result_message=messages.DID_NOT_COMPLETE.format(limit=_timeout_text(), progress=progress),
        )
    else:
        # Only the progress text changes: no audit entry for every look.
        ChangeRequest.objects.filter(
            pk=change_request.pk, status=Status.IN_PROGRESS, attempts=attempt
        ).update(
            result_message=messages.IN_PROGRESS_NOW.format(progress=progress),
            progress_checked_at=timezone.now(),
        )
        change_request.refresh_from_db()
    return change_request.status


def change_request_check_progress(*, change_request: ChangeRequest, user) -> str:
    """The request page's "Check now": the requester or an approver looks at a change in progress now."""
    if change_request.requested_by_id != user.pk:
        require_permission(user, APPROVE_CHANGE, messages.CANNOT_DECIDE)
    if change_request.status != Status.IN_PROGRESS:
        raise ApplicationError(
            messages.NOT_IN_PROGRESS.format(
                pk=change_request.pk, status=change_request.get_status_display().lower()
            )
        )
    with closing(usable_client_for(change_request.connection)) as client:
        try:
            return follow(client, change_request, user)
        except ModelArtsError as error:
            raise ApplicationError.from_upstream(
                messages.CHECKING_REQUEST.format(pk=change_request.pk), error
            ) from error


def _past_timeout(change_request: ChangeRequest) -> bool:
    started = change_request.execution_started_at
    return started is not None and timezone.now() >= started + follow_timeout()


def _timeout_text() -> str:
    minutes = int(settings.CHANGE_REQUEST_FOLLOW_TIMEOUT_MINUTES)
    if minutes >= 120 and minutes % 60 == 0:
        return gettext("%(h)s h") % {"h": minutes // 60}
    return gettext("%(m)s min") % {"m": minutes}
