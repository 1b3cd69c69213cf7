"""Check the audit log's HMAC chain: every entry present, unchanged and in order."""

from django.core.management.base import BaseCommand, CommandError

from pools.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's seals; print OK with the count, or every problem and exit non-zero."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {report.checked} audit log entries verified."))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(
            f"The audit chain is broken: {len(report.problems)} problem(s) in {report.checked} sealed entries."
        )
