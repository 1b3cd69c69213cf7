"""Re-encrypt every connection's AK and SK under the newest FIELD_ENCRYPTION_KEYS key.

Procedure: put the new key first in FIELD_ENCRYPTION_KEYS, keep the old ones after it, run this command,
then drop the old keys. Running it again is harmless.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pools.management.base import TranslatedCommand
from pools.services.connection_keys import connections_rotate_secrets


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Re-encrypt every stored connection secret under the newest key in FIELD_ENCRYPTION_KEYS."
    )

    def handle(self, *args, **options):
        report = connections_rotate_secrets()
        for name in report.rotated:
            self.stdout.write(_("Re-encrypted the keys of connection “{name}”.").format(name=name))
        for message in report.failed:
            self.stderr.write(message)
        if not report.ok:
            raise CommandError(
                _("{failed} connection(s) could not be re-encrypted; {rotated} were.").format(
                    failed=len(report.failed), rotated=len(report.rotated)
                )
            )
        self.stdout.write(
            self.style.SUCCESS(_("{count} connection(s) re-encrypted.").format(count=len(report.rotated)))
        )
