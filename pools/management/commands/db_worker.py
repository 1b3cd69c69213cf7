"""The database task worker (django-tasks-db's ``db_worker``) that also keeps the change-request job on its
schedule: before it starts working it queues a run of the scheduled job (``process_change_requests``) unless
one is waiting, and each run queues the next (CHANGE_REQUEST_JOB_SECONDS; 0 leaves the job to cron).

It works on both queues, "default" (change requests, the job) and "notifications" (deliveries), unless
``--queue-name`` says otherwise: a second worker with ``--queue-name notifications`` (and this one with
``--queue-name default``) keeps a slow chat or mail server from delaying changes.

It replaces the package's command of the same name ("pools" comes before "django_tasks_db" in INSTALLED_APPS)
and takes the same options: ``manage.py db_worker --help``.
"""

from django.utils.translation import gettext as _
from django_tasks_db.management.commands import db_worker

from pools.services.change_requests import change_requests_job_schedule
from pools.services.notifications.delivery import QUEUE as NOTIFICATIONS_QUEUE

QUEUES = f"default,{NOTIFICATIONS_QUEUE}"


class Command(db_worker.Command):
    help = (
        "Run a database background worker: it runs approved change requests, delivers notifications and, "
        "every CHANGE_REQUEST_JOB_SECONDS, runs the scheduled change-request job."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name=QUEUES)

    def handle(self, *args, **options):
        if change_requests_job_schedule() is not None:
            self.stdout.write(
                _("Scheduled job queued: process_change_requests runs now, then on its schedule.")
            )
        return super().handle(*args, **options)
