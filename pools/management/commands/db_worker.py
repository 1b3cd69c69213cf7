"""The database task worker (django-tasks-db's ``db_worker``) that also keeps the change-request job on its
schedule: before it starts working it queues a run of the scheduled job (``process_change_requests``) unless
one is waiting, and each run queues the next (CHANGE_REQUEST_JOB_SECONDS; 0 leaves the job to cron).

It works on both queues, "default" (change requests, the job) and "notifications" (deliveries), unless
``--queue-name`` says otherwise: a second worker with ``--queue-name notifications`` (and this one with
``--queue-name default``) keeps a slow chat or mail server from delaying changes.

It replaces the package's command of the same name ("pools" comes before "django_tasks_db" in INSTALLED_APPS)
and takes the same options: ``manage.py db_worker --help``.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands import db_worker

from pools.management.base import TranslatedCommand, retell_options
from pools.services.change_requests import change_requests_job_schedule
from pools.services.notifications.delivery import QUEUE as NOTIFICATIONS_QUEUE

QUEUES = f"default,{NOTIFICATIONS_QUEUE}"

# The package's options, by their dest, in the operator's language (the package's own help is English only).
PACKAGE_OPTIONS_HELP = {
    "queue_name": gettext_lazy(
        "The queues to process. Separate multiple with a comma. To process all queues, use '*' "
        "(default: %(default)r)"
    ),
    "exclude_queues": gettext_lazy("Queues to exclude. Separate multiple with a comma."),
    "interval": gettext_lazy(
        "The interval (in seconds) to wait, when there are no tasks in the queue, before checking for tasks "
        "again (default: %(default)r)"
    ),
    "batch": gettext_lazy(
        "Process all outstanding tasks, then exit. Can be used in combination with --max-tasks."
    ),
    "reload": gettext_lazy(
        "Reload the worker on code changes. Not recommended for production as tasks may not be stopped "
        "cleanly (default: DEBUG)"
    ),
    "backend_name": gettext_lazy("The backend to operate on (default: %(default)r)"),
    "startup_delay": gettext_lazy("Don't add a small delay at startup."),
    "max_tasks": gettext_lazy(
        "If provided, the maximum number of tasks the worker will execute before exiting."
    ),
    "worker_id": gettext_lazy("Worker id. MUST be unique across worker pool (default: auto-generate)"),
}


class Command(TranslatedCommand, db_worker.Command):
    help = gettext_lazy(
        "Run a database background worker: it runs approved change requests, delivers notifications and, "
        "every CHANGE_REQUEST_JOB_SECONDS, runs the scheduled change-request job."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name=QUEUES)
        retell_options(parser, PACKAGE_OPTIONS_HELP)

    def handle(self, *args, **options):
        # The package refuses this too, in English only; checked first so the refusal is in the operator's.
        if options["exclude_queues"] and "*" not in options["queue_name"].split(","):
            raise CommandError(_("--exclude-queues can only be used with --queue-name=*"))
        if change_requests_job_schedule() is not None:
            self.stdout.write(
                _("Scheduled job queued: process_change_requests runs now, then on its schedule.")
            )
        return super().handle(*args, **options)
