"""The whole demo in one process: migrate, start the sandbox with the demo estate, seed, serve."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from modelarts_admin import devkeys
from pools.management.commands.seed_demo import format_logins
from pools.sandbox import DEFAULT_ACCOUNT, Sandbox
from pools.services.demo import demo_connection_ensure, demo_users_ensure


class Command(BaseCommand):
    help = (
        "Migrate the database, start the local ModelArts sandbox with a demo estate (kept in "
        "var/sandbox-state.json across restarts), create the demo connection and users, print the logins and "
        "serve the dashboard. Ctrl-C stops everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="dashboard port (default 8000)")
        parser.add_argument("--sandbox-port", type=int, default=8089, help="sandbox port (default 8089)")
        parser.add_argument(
            "--creation-seconds", type=float, default=25.0, help="how long a new pool creates"
        )
        parser.add_argument("--fresh", action="store_true", help="forget the saved sandbox estate")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        state_file = Path(settings.VAR_DIR) / "sandbox-state.json"
        if options["fresh"] and state_file.exists():
            state_file.unlink()
        sandbox = Sandbox(
            creation_seconds=options["creation_seconds"],
            deletion_seconds=15.0,
            node_deletion_seconds=10.0,
            state_file=state_file,
        )
        if not sandbox.pools(DEFAULT_ACCOUNT.project_id):
            sandbox.seed_demo(DEFAULT_ACCOUNT.project_id)
        url = sandbox.start(port=options["sandbox_port"])
        try:
            # The demo prints its logins at every start, so its generated password is kept in var/.
            password = os.environ.get("DEMO_PASSWORD") or devkeys.read_or_create(
                Path(settings.VAR_DIR) / "demo_password", lambda: secrets.token_urlsafe(9)
            )
            logins = demo_users_ensure(password=password, reset_passwords=True)
            demo_connection_ensure(
                endpoint=url,
                access_key=DEFAULT_ACCOUNT.ak,
                secret_key=DEFAULT_ACCOUNT.sk,
                project_id=DEFAULT_ACCOUNT.project_id,
            )
            dashboard = f"http://127.0.0.1:{options['port']}/"
            self.stdout.write(self.style.SUCCESS(f"\nModelArts Admin demo: {dashboard}"))
            self.stdout.write(f"ModelArts sandbox:    {url}  (faults: {url}/_sandbox/faults)")
            self.stdout.write(format_logins(logins) + "\n")
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
        finally:
            sandbox.stop()
