"""Re-encrypt every connection's AK and SK under the newest FIELD_ENCRYPTION_KEYS key.

Procedure: put the new key first in FIELD_ENCRYPTION_KEYS, keep the old ones after it, run this command,
then drop the old keys. Running it again is harmless.
"""

from django.core.management.base import BaseCommand, CommandError

from pools.services.connection_keys import connections_rotate_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored connection secret under the newest key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        report = connections_rotate_secrets()
        for name in report.rotated:
            self.stdout.write(f"Re-encrypted the keys of connection “{name}”.")
        for message in report.failed:
            self.stderr.write(message)
        if not report.ok:
            raise CommandError(
                f"{len(report.failed)} connection(s) could not be re-encrypted; {len(report.rotated)} were."
            )
        self.stdout.write(self.style.SUCCESS(f"{len(report.rotated)} connection(s) re-encrypted."))
