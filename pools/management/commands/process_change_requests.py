"""The scheduled change-request job, once: expire undecided change requests, run approved ones no worker ran,
settle ones a crash left half-done, follow changes in progress; then announce failed pools, abnormal nodes and
warning events to the notification routes that want them (each once).

The task worker (``manage.py db_worker``) runs the same job every CHANGE_REQUEST_JOB_SECONDS. Run this from
cron when that is 0, or as a backstop that keeps working while the worker is down, e.g.
``*/5 * * * * manage.py process_change_requests``.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from pools.services.change_requests import process_change_requests
from pools.services.notifications.watch import conditions_watch


class Command(BaseCommand):
    help = (
        "Expire overdue change requests, run approved ones left unclaimed, reconcile interrupted executions."
    )

    def handle(self, *args, **options):
        summary = process_change_requests()
        for pk in summary.expired:
            self.stdout.write(_("#{pk}: expired").format(pk=pk))
        for pk in summary.executed:
            self.stdout.write(_("#{pk}: executed").format(pk=pk))
        for pk, status in summary.reconciled.items():
            self.stdout.write(_("#{pk}: reconciled as {status}").format(pk=pk, status=status))
        for pk, problem in summary.unresolved.items():
            self.stderr.write(_("#{pk}: unresolved: {problem}").format(pk=pk, problem=problem))
        self.stdout.write(
            self.style.SUCCESS(_("Change requests processed: {summary}.").format(summary=summary))
        )
        self.stdout.write(_("Notifications: {watch}.").format(watch=conditions_watch()))
