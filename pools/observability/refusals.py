"""One log line per refused request, without the traceback Django attaches.

Django's ``django.request`` logger writes "Forbidden (Permission denied): <path>" with the ``PermissionDenied``
traceback for every 403. A refusal is the permission check working, not a fault: the traceback only fills the
log (a viewer who keeps opening a page of another role writes fifteen lines a click). ``QuietRefusalFilter``,
on that logger (``settings.LOGGING``), keeps the WARNING line, adds the method and the user's id, and drops
the traceback; every other status passes as it was.

Imports nothing of Django: settings.py names the filter before the apps load.
"""

from __future__ import annotations

import logging

FORBIDDEN = 403


class QuietRefusalFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Once per record: logging set up twice in one process (dictConfig adds a logger's filters again
        # rather than replacing them) must not add the method and user twice.
        if getattr(record, "status_code", None) != FORBIDDEN or getattr(record, "refusal_quieted", False):
            return True
        record.refusal_quieted = True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        # The message is rendered first: its arguments (the path) may be a tuple or a mapping.
        message = record.getMessage()
        record.msg = "%s (%s, user %s)"
        record.args = (message, getattr(request, "method", "-"), getattr(user, "pk", None) or "-")
        record.exc_info = None
        record.exc_text = None
        return True
