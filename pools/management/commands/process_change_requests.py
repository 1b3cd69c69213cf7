"""The scheduled change-request job, once: expire undecided change requests, run approved ones no worker ran,
settle ones a crash left half-done, follow changes in progress.

The task worker (``manage.py db_worker``) runs the same job every CHANGE_REQUEST_JOB_SECONDS. Run this from
cron when that is 0, or as a backstop that keeps working while the worker is down, e.g.
``*/5 * * * * manage.py process_change_requests``.
"""

from django.core.management.base import BaseCommand

from pools.services.change_requests import process_change_requests


class Command(BaseCommand):
    help = (
        "Expire overdue change requests, run approved ones left unclaimed, reconcile interrupted executions."
    )

    def handle(self, *args, **options):
        summary = process_change_requests()
        for pk in summary.expired:
            self.stdout.write(f"#{pk}: expired")
        for pk in summary.executed:
            self.stdout.write(f"#{pk}: executed")
        for pk, status in summary.reconciled.items():
            self.stdout.write(f"#{pk}: reconciled as {status}")
        for pk, problem in summary.unresolved.items():
            self.stderr.write(f"#{pk}: unresolved: {problem}")
        self.stdout.write(self.style.SUCCESS(f"Change requests processed: {summary}."))
