"""Django admin registrations."""

# Audit: LogEntry read-only, users with history protected from deletion. Keep this import last: it wraps the
# user admin registered above.
from pools import admin_audit  # noqa: E402, F401
