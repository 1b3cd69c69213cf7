"""Create the demo users and the demo connection to a sandbox (idempotent)."""

import os

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.management.base import TranslatedCommand
from pools.management.demo_printout import format_logins
from pools.sandbox import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK
from pools.services.demo import demo_connection_ensure, demo_users_ensure


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Create five demo users (admin, operator, approver, auditor, viewer) and a connection to the local "
        "sandbox. Passwords come from DEMO_PASSWORD when set; otherwise each new user gets a generated one, "
        "printed once. Existing users keep their passwords unless --reset-passwords is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sandbox-url",
            default="http://127.0.0.1:8089",
            help=_("the sandbox's base URL (default %(default)s)"),
        )
        parser.add_argument(
            "--ak", default=DEFAULT_AK, help=_("sandbox access key (default: the sandbox's demo AK)")
        )
        parser.add_argument(
            "--sk", default=DEFAULT_SK, help=_("sandbox secret key (default: the sandbox's demo SK)")
        )
        parser.add_argument(
            "--project-id", default=DEFAULT_PROJECT_ID, help=_("sandbox project id (default %(default)s)")
        )
        parser.add_argument(
            "--reset-passwords", action="store_true", help=_("give existing demo users new passwords")
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
        self.stdout.write(
            _("Connection “{name}” -> {endpoint}").format(name=connection.name, endpoint=connection.endpoint)
        )
        self.stdout.write(format_logins(logins))
