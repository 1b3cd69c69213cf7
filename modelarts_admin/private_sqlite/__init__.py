"""Django's SQLite backend, with the database file made owner-only before SQLite opens it (see base.py)."""
