"""``python manage.py modelarts_sandbox``: run the local ModelArts sandbox until interrupted.

Point the official SDK (or the dashboard) at the printed URL with the same AK, SK and project id.
"""

import json
import threading

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.management.base import TranslatedCommand
from pools.management.interrupts import stop_on_ctrl_c
from pools.sandbox import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK, Account, Fault, Sandbox

FAULT_EXAMPLE = '{"kind": "error", "status": 503, "operation": "ListPools", "count": 2}'


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Run a local ModelArts-compatible server for the nine resource-pool operations. Requests must be "
        "signed (SDK-HMAC-SHA256) with the AK/SK given here; the unsigned control endpoints under "
        "/_sandbox/ (faults, reset, seed, calls, clock, timings) steer it. Its keys are for local use only; "
        "--ak, --sk and --project-id show their defaults."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help=_("address to bind (default %(default)s)"))
        parser.add_argument(
            "--port", type=int, default=8001, help=_("port to bind (default %(default)s; 0 = any)")
        )
        parser.add_argument("--ak", default=DEFAULT_AK, help=_("access key accepted (default %(default)s)"))
        parser.add_argument("--sk", default=DEFAULT_SK, help=_("its secret key (default %(default)s)"))
        parser.add_argument(
            "--project-id",
            default=DEFAULT_PROJECT_ID,
            help=_("project the AK owns (default %(default)s)"),
        )
        parser.add_argument(
            "--region", default="cn-north-4", help=_("region for AZ names (default %(default)s)")
        )
        parser.add_argument("--seed", choices=["demo", "none"], default="none", help=_("add the demo estate"))
        parser.add_argument("--state-file", help=_("JSON file to keep the estate in across restarts"))
        parser.add_argument(
            "--creation-seconds",
            type=float,
            default=30.0,
            help=_("seconds from Creating to Running (default %(default)g)"),
        )
        parser.add_argument(
            "--deletion-seconds",
            type=float,
            default=20.0,
            help=_("seconds from Deleting to gone (default %(default)g)"),
        )
        parser.add_argument(
            "--node-deletion-seconds",
            type=float,
            default=15.0,
            help=_("seconds from a node's Deleting to gone (default %(default)g)"),
        )
        parser.add_argument(
            "--reboot-seconds",
            type=float,
            default=45.0,
            help=_("seconds from a node's Rebooting to Available (default %(default)g)"),
        )
        parser.add_argument(
            "--reset-seconds",
            type=float,
            default=90.0,
            help=_("seconds from a node's Resetting to Available, per batch (default %(default)g)"),
        )
        parser.add_argument(
            "--payment-seconds",
            type=float,
            default=0.0,
            help=_("how long yearly/monthly pools without auto-pay wait in Waiting (0 = no wait)"),
        )
        parser.add_argument(
            "--clock-skew-minutes",
            type=float,
            default=15.0,
            help=_("accepted X-Sdk-Date skew in minutes (default %(default)g)"),
        )
        parser.add_argument(
            "--latency-ms", type=int, default=0, help=_("delay every API answer by this many milliseconds")
        )
        parser.add_argument(
            "--error-share", type=float, default=0.0, help=_("share (0..1) of requests answering 5xx")
        )
        parser.add_argument(
            "--error-status", type=int, choices=[500, 503], default=500, help=_("status for errors")
        )
        parser.add_argument("--throttle-share", type=float, default=0.0, help=_("share (0..1) answering 429"))
        parser.add_argument(
            "--drop-share", type=float, default=0.0, help=_("share (0..1) of dropped connections")
        )
        parser.add_argument(
            "--fail-creates", type=int, default=0, help=_("the next N created pools end in Error")
        )
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="JSON",
            help=_("any fault rule, e.g. '{example}'").format(example=FAULT_EXAMPLE),
        )
        parser.add_argument(
            "--random-seed", type=int, default=0, help=_("seed for names, ids and fault shares")
        )

    def _faults(self, options) -> list[Fault]:
        try:
            rules = [Fault.from_json(json.loads(text)) for text in options["fault"]]
            if options["latency_ms"]:
                rules.append(Fault("latency", latency_ms=options["latency_ms"]))
            if options["error_share"]:
                rules.append(Fault("error", share=options["error_share"], status=options["error_status"]))
            if options["throttle_share"]:
                rules.append(Fault("throttle", share=options["throttle_share"]))
            if options["drop_share"]:
                rules.append(Fault("drop", share=options["drop_share"]))
            if options["fail_creates"]:
                rules.append(Fault("fail_create", count=options["fail_creates"]))
        except (TypeError, ValueError) as problem:
            raise CommandError(_("bad fault: {problem}").format(problem=problem)) from None
        return rules

    def handle(self, *args, **options):
        stop_on_ctrl_c()
        sandbox = Sandbox(
            [Account(options["ak"], options["sk"], options["project_id"])],
            region=options["region"],
            creation_seconds=options["creation_seconds"],
            deletion_seconds=options["deletion_seconds"],
            node_deletion_seconds=options["node_deletion_seconds"],
            payment_seconds=options["payment_seconds"],
            reboot_seconds=options["reboot_seconds"],
            reset_seconds=options["reset_seconds"],
            max_clock_skew_seconds=options["clock_skew_minutes"] * 60,
            state_file=options["state_file"],
            seed=options["random_seed"],
            faults=self._faults(options),
        )
        if options["seed"] == "demo":
            added = sandbox.seed_demo(options["project_id"])
            self.stdout.write(
                _("Seeded {count} demo pools into project {project}.").format(
                    count=len(added), project=options["project_id"]
                )
            )
        try:
            url = sandbox.start(options["host"], options["port"])
        except OSError as problem:
            raise CommandError(
                _("cannot listen on {host}:{port}: {problem}").format(
                    host=options["host"], port=options["port"], problem=problem
                )
            ) from None
        self.stdout.write(
            _("ModelArts sandbox listening on {url} (project {project}).").format(
                url=url, project=options["project_id"]
            )
        )
        self.stdout.write(_("Control endpoints: {url}/_sandbox — stop with Ctrl-C.").format(url=url))
        self.stdout.flush()  # whoever started us (the demo, a test) waits for the URL line
        try:
            wait_forever()
        except KeyboardInterrupt:
            self.stdout.write(_("Stopping."))
        finally:
            sandbox.stop()


def wait_forever() -> None:
    """Until Ctrl-C (KeyboardInterrupt); the sandbox serves from its own thread meanwhile."""
    threading.Event().wait()
