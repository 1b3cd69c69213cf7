"""The whole demo in one process: migrate, start the sandbox with the demo estate, seed, serve."""

import errno
import os
import secrets
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from modelarts_admin import devkeys
from pools.management.base import TranslatedCommand
from pools.management.demo_printout import format_addresses, format_logins, format_sandbox_keys
from pools.management.interrupts import stop_on_ctrl_c
from pools.sandbox import DEFAULT_ACCOUNT, Sandbox
from pools.services.change_requests import change_requests_job_schedule
from pools.services.change_requests.background import job_can_be_scheduled
from pools.services.demo import demo_connection_ensure, demo_users_ensure, demo_webhook_route_ensure
from pools.services.notifications.delivery import QUEUE as NOTIFICATIONS_QUEUE
from pools.webhooks.receiver import Delivery, WebhookReceiver

DEFAULT_PORT = 8000
DEFAULT_SANDBOX_PORT = 8089
DEFAULT_JOB_SECONDS = 10.0
# How long the demo's worker waits before it looks for queued tasks again.
WORKER_POLL_SECONDS = 0.5
# Where the demo's webhook receiver logs what it gets, in VAR_DIR.
WEBHOOK_LOG = "webhook.log"


def start_worker(job_seconds: float) -> Worker:
    """What ``manage.py db_worker`` does in production, in a thread of the demo: it runs the approved change
    requests, and the scheduled change-request job every ``job_seconds`` (0: never), so the demo's deletions,
    scales and reboots are made and followed to their end without anyone starting a worker."""
    if not job_can_be_scheduled():
        raise CommandError(
            _(
                "The demo runs its own task worker, which needs the database task backend: unset TASKS_BACKEND."
            )
        )
    if job_seconds > 0:
        change_requests_job_schedule(every=job_seconds)
    worker = Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME, NOTIFICATIONS_QUEUE],
        interval=WORKER_POLL_SECONDS,
        batch=False,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"demo-{get_random_string(12)}",
        excluded_queue_names=[],
    )
    threading.Thread(target=worker.run, name="demo-task-worker", daemon=True).start()
    return worker


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As runserver binds: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as problem:
            if problem.errno == errno.EADDRINUSE:
                return False
            raise
    return True


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Migrate the database, collect the static files, start the local ModelArts sandbox with a demo estate (kept in "
        "var/sandbox-state.json across restarts), create the demo connection and users, print the logins, start "
        "a task worker (approved changes, notifications, the scheduled job) and a local webhook receiver that "
        "gets every notification of the demo connection (var/webhook.log), and serve the dashboard. Ctrl-C stops everything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=DEFAULT_PORT, help=_("dashboard port (default %(default)s)")
        )
        parser.add_argument(
            "--sandbox-port",
            type=int,
            default=DEFAULT_SANDBOX_PORT,
            help=_("sandbox port (default %(default)s; a free one when that is taken)"),
        )
        parser.add_argument(
            "--creation-seconds",
            type=float,
            default=25.0,
            help=_("how long a new pool stays Creating, in seconds (default %(default)g)"),
        )
        parser.add_argument("--fresh", action="store_true", help=_("forget the saved sandbox estate"))
        parser.add_argument(
            "--job-seconds",
            type=float,
            default=DEFAULT_JOB_SECONDS,
            help=_("how often the scheduled change-request job runs (default %(default)g; 0: never)"),
        )

    def handle(self, *args, **options):
        stop_on_ctrl_c()
        # Checked before anything starts, so a second demo fails with advice instead of a traceback.
        if not port_is_free(options["port"]):
            raise CommandError(
                _(
                    "Port {port} on 127.0.0.1 is already in use (another demo?). "
                    "Choose another one: scripts/demo.sh --port {other}"
                ).format(port=options["port"], other=options["port"] + 10)
            )
        call_command("migrate", interactive=False, verbosity=0)
        # With DEBUG off (modelarts_admin/settings_demo.py) whitenoise serves the collected, hashed files.
        call_command("collectstatic", interactive=False, verbosity=0)
        state_file = Path(settings.VAR_DIR) / "sandbox-state.json"
        if options["fresh"] and state_file.exists():
            state_file.unlink()
        sandbox = Sandbox(
            creation_seconds=options["creation_seconds"],
            deletion_seconds=15.0,
            node_deletion_seconds=10.0,
            state_file=state_file,
        )
        sandbox.timings.maintenance_seconds = 120.0  # an accepted maintenance runs while one watches
        if not sandbox.pools(DEFAULT_ACCOUNT.project_id):
            sandbox.seed_demo(DEFAULT_ACCOUNT.project_id)
        url = self._start_sandbox(sandbox, options["sandbox_port"])
        worker = None
        receiver = WebhookReceiver(
            devkeys.read_or_create(Path(settings.VAR_DIR) / "demo_webhook_secret", devkeys.token),
            log_file=Path(settings.VAR_DIR) / WEBHOOK_LOG,
            on_delivery=self._print_delivery,
        )
        try:
            # The demo prints its logins at every start, so its generated password is kept in var/.
            password = os.environ.get("DEMO_PASSWORD") or devkeys.read_or_create(
                Path(settings.VAR_DIR) / "demo_password", lambda: secrets.token_urlsafe(9)
            )
            logins = demo_users_ensure(password=password, reset_passwords=True)
            connection = demo_connection_ensure(
                endpoint=url,
                access_key=DEFAULT_ACCOUNT.ak,
                secret_key=DEFAULT_ACCOUNT.sk,
                project_id=DEFAULT_ACCOUNT.project_id,
            )
            hook = receiver.start()
            demo_webhook_route_ensure(connection=connection, url=hook, secret=receiver.secret)
            dashboard = f"http://127.0.0.1:{options['port']}/"
            first, *others = format_addresses(
                dashboard=dashboard, sandbox=url, hook=hook, webhook_log=f"var/{WEBHOOK_LOG}"
            )
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(first))
            for line in others:
                self.stdout.write(line)
            self.stdout.write(format_logins(logins))
            self.stdout.write(format_sandbox_keys(url, DEFAULT_ACCOUNT))
            self.stdout.write("")
            worker = start_worker(options["job_seconds"])
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
        finally:
            if worker is not None:
                worker.running = False  # it stops after the task it is running, if any
            sandbox.stop()
            receiver.stop()

    def _print_delivery(self, delivery: Delivery) -> None:
        """One line per notification the receiver gets, as the log file has it."""
        if delivery.payload is None:
            self.stdout.write(_("webhook: refused a delivery: {problem}").format(problem=delivery.problem))
            return
        self.stdout.write(
            _("webhook: {event}: {subject} (signature verified)").format(
                event=delivery.payload["event"], subject=delivery.payload["subject"]
            )
        )

    def _start_sandbox(self, sandbox: Sandbox, port: int) -> str:
        """The demo connection follows the sandbox wherever it listens, so a taken default port is no problem."""
        try:
            return sandbox.start(port=port)
        except OSError as problem:
            if problem.errno != errno.EADDRINUSE:
                raise
            if port != DEFAULT_SANDBOX_PORT:
                raise CommandError(
                    _("Sandbox port {port} on 127.0.0.1 is already in use.").format(port=port)
                ) from None
        return sandbox.start(port=0)
