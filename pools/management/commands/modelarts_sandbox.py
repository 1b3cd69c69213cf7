"""``python manage.py modelarts_sandbox``: run the local ModelArts sandbox until interrupted.

Point the official SDK (or the dashboard) at the printed URL with the same AK, SK and project id.
"""

import json
import threading

from django.core.management.base import BaseCommand, CommandError

from pools.management.interrupts import stop_on_ctrl_c
from pools.sandbox import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK, Account, Fault, Sandbox


class Command(BaseCommand):
    help = (
        "Run a local ModelArts-compatible server for the nine resource-pool operations. Requests must be "
        "signed (SDK-HMAC-SHA256) with the AK/SK given here; the unsigned control endpoints under "
        "/_sandbox/ (faults, reset, seed, calls, clock, timings) steer it. Defaults: "
        f"--ak {DEFAULT_AK} --sk {DEFAULT_SK} --project-id {DEFAULT_PROJECT_ID} (local use only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8001, help="port to bind (default 8001; 0 = any)")
        parser.add_argument("--ak", default=DEFAULT_AK, help=f"access key accepted (default {DEFAULT_AK})")
        parser.add_argument("--sk", default=DEFAULT_SK, help=f"its secret key (default {DEFAULT_SK})")
        parser.add_argument(
            "--project-id",
            default=DEFAULT_PROJECT_ID,
            help=f"project the AK owns (default {DEFAULT_PROJECT_ID})",
        )
        parser.add_argument("--region", default="cn-north-4", help="region for AZ names (default cn-north-4)")
        parser.add_argument("--seed", choices=["demo", "none"], default="none", help="add the demo estate")
        parser.add_argument("--state-file", help="JSON file to keep the estate in across restarts")
        parser.add_argument("--creation-seconds", type=float, default=30.0, help="Creating -> Running (30)")
        parser.add_argument("--deletion-seconds", type=float, default=20.0, help="Deleting -> gone (20)")
        parser.add_argument(
            "--node-deletion-seconds", type=float, default=15.0, help="node Deleting -> gone (15)"
        )
        parser.add_argument(
            "--reboot-seconds", type=float, default=45.0, help="node Rebooting -> Available (45)"
        )
        parser.add_argument(
            "--reset-seconds", type=float, default=90.0, help="node Resetting -> Available, per batch (90)"
        )
        parser.add_argument(
            "--payment-seconds",
            type=float,
            default=0.0,
            help="how long yearly/monthly pools without auto-pay wait in Waiting (0 = no wait)",
        )
        parser.add_argument(
            "--clock-skew-minutes", type=float, default=15.0, help="accepted X-Sdk-Date skew (15)"
        )
        parser.add_argument("--latency-ms", type=int, default=0, help="delay every API answer by this much")
        parser.add_argument(
            "--error-share", type=float, default=0.0, help="share (0..1) of requests answering 5xx"
        )
        parser.add_argument(
            "--error-status", type=int, choices=[500, 503], default=500, help="status for errors"
        )
        parser.add_argument("--throttle-share", type=float, default=0.0, help="share (0..1) answering 429")
        parser.add_argument(
            "--drop-share", type=float, default=0.0, help="share (0..1) of dropped connections"
        )
        parser.add_argument(
            "--fail-creates", type=int, default=0, help="the next N created pools end in Error"
        )
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="JSON",
            help='any fault rule, e.g. \'{"kind": "error", "status": 503, "operation": "ListPools", "count": 2}\'',
        )
        parser.add_argument("--random-seed", type=int, default=0, help="seed for names, ids and fault shares")

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
            raise CommandError(f"bad fault: {problem}") from None
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
            self.stdout.write(f"Seeded {len(added)} demo pools into project {options['project_id']}.")
        try:
            url = sandbox.start(options["host"], options["port"])
        except OSError as problem:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {problem}") from None
        self.stdout.write(f"ModelArts sandbox listening on {url} (project {options['project_id']}).")
        self.stdout.write(f"Control endpoints: {url}/_sandbox — stop with Ctrl-C.")
        self.stdout.flush()  # whoever started us (the demo, a test) waits for the URL line
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            sandbox.stop()
