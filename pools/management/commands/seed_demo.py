"""Create the demo users and the demo connection to a sandbox (idempotent)."""

import os

from django.core.management.base import BaseCommand

from pools.sandbox import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK
from pools.services.demo import demo_connection_ensure, demo_users_ensure


class Command(BaseCommand):
    help = (
        "Create five demo users (admin, operator, approver, auditor, viewer) and a connection to the local "
        "sandbox. Passwords come from DEMO_PASSWORD when set; otherwise each new user gets a generated one, "
        "printed once. Existing users keep their passwords unless --reset-passwords is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8089", help="the sandbox's base URL")
        parser.add_argument(
            "--ak", default=DEFAULT_AK, help="sandbox access key (default: the sandbox's demo AK)"
        )
        parser.add_argument(
            "--sk", default=DEFAULT_SK, help="sandbox secret key (default: the sandbox's demo SK)"
        )
        parser.add_argument("--project-id", default=DEFAULT_PROJECT_ID)
        parser.add_argument(
            "--reset-passwords", action="store_true", help="give existing demo users new passwords"
        )

    def handle(self, *args, **options):
        logins = demo_users_ensure(
            password=os.environ.get("DEMO_PASSWORD") or None, reset_passwords=options["reset_passwords"]
        )
        connection = demo_connection_ensure(
            endpoint=options["sandbox_url"],
            access_key=options["ak"],
            secret_key=options["sk"],
            project_id=options["project_id"],
        )
        self.stdout.write(f"Connection '{connection.name}' -> {connection.endpoint}")
        self.stdout.write(format_logins(logins))


def format_logins(logins) -> str:
    lines = ["Demo logins:"]
    for login in logins:
        shown = login.password if login.password else "(unchanged; use --reset-passwords to set a new one)"
        lines.append(f"  {login.username:<9} {login.role:<14} password: {shown}")
    return "\n".join(lines)
