"""The scheduled change-request job, once: expire undecided change requests, run approved ones no worker ran,
settle ones a crash left half-done, follow changes in progress; then announce failed pools, abnormal nodes and
warning events to the notification routes that want them (each once).

The task worker (``manage.py db_worker``) runs the same job every CHANGE_REQUEST_JOB_SECONDS. Run this from
cron when that is 0, or as a backstop that keeps working while the worker is down, e.g.
``*/5 * * * * manage.py process_change_requests``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from pools.management.base import TranslatedCommand
from pools.models import ChangeRequest
from pools.services.change_requests import process_change_requests
from pools.services.notifications.watch import conditions_watch


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Expire overdue change requests, run approved ones left unclaimed, reconcile interrupted executions."
    )

    def handle(self, *args, **options):
        summary = process_change_requests()
        for pk in summary.expired:
            self.stdout.write(_("#{pk}: expired").format(pk=pk))
        for pk in summary.executed:
            self.stdout.write(_("#{pk}: executed").format(pk=pk))
        for pk, status in summary.reconciled.items():
            label = ChangeRequest.Status(status).label
            self.stdout.write(_("#{pk}: reconciled: {status}").format(pk=pk, status=label))
        for pk, problem in summary.unresolved.items():
            self.stderr.write(_("#{pk}: unresolved: {problem}").format(pk=pk, problem=problem))
        self.stdout.write(self.style.SUCCESS(summary_line(summary)))
        self.stdout.write(watch_line(conditions_watch()))


def summary_line(summary) -> str:
    return _(
        "Change requests processed: expired {expired}, executed {executed}, reconciled {reconciled}, "
        "unresolved {unresolved}, followed {followed}."
    ).format(
        expired=len(summary.expired),
        executed=len(summary.executed),
        reconciled=len(summary.reconciled),
        unresolved=len(summary.unresolved),
        followed=len(summary.followed),
    )


def watch_line(watch) -> str:
    """What the notification watch announced, by event (the events' names are identifiers, as in webhooks)."""
    counts = ", ".join(f"{event} {count}" for event, count in sorted(watch.announced.items()))
    announced = counts or pgettext("notifications announced", "nothing")
    if watch.unread:
        return _("Notifications: announced {announced}; not read: {connections}.").format(
            announced=announced, connections=", ".join(watch.unread)
        )
    return _("Notifications: announced {announced}.").format(announced=announced)
