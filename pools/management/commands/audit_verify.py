"""Check the audit log's HMAC chain: every entry present, unchanged and in order, and none of the newest
removed (compared with the witness outside the database, and with ``--expect-at-least``)."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.audit import verify_chain
from pools.management.base import TranslatedCommand

FEWER_THAN_EXPECTED = gettext_lazy(
    "the chain holds {checked} sealed entries, fewer than the {expected} expected"
)


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Recompute the audit log's seals; print OK with the count, or every problem and exit non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-at-least",
            type=int,
            default=0,
            metavar="N",
            help=_(
                "fail unless the chain holds at least N sealed entries (e.g. the count of the last run, or "
                "the newest 'audit chain head: seal N' line of the application log)"
            ),
        )

    def handle(self, *args, **options):
        report = verify_chain()
        expected = options["expect_at_least"]
        if report.checked < expected:
            report.problems.append(FEWER_THAN_EXPECTED.format(checked=report.checked, expected=expected))
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(_("OK: {count} audit log entries verified.").format(count=report.checked))
            )
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(
            _("The audit chain is broken: {problems} problem(s) in {checked} sealed entries.").format(
                problems=len(report.problems), checked=report.checked
            )
        )
