"""Django's SQLite backend, except that the database file is created owner-only (0600) before SQLite opens
it: SQLite would create it world-readable, and it holds password hashes, sessions and the audit log.

Settings switch a SQLite ``DATABASE_URL`` to this engine; everything else is Django's backend unchanged.
"""

from django.db.backends.sqlite3 import base

from modelarts_admin.private_files import private_sqlite_file


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        private_sqlite_file(str(conn_params["database"]))
        return super().get_new_connection(conn_params)
