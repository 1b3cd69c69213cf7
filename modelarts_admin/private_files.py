"""Owner-only files and folders: var/ holds secrets, the SQLite database (password hashes, sessions, sealed
audit log, encrypted keys) and the audit witness, so nobody but the account that runs the dashboard may
read it.

``mkdir(mode=...)`` and ``touch(mode=...)`` are filtered by the umask, which can only take bits away, so
0700 and 0600 stay at most that.
"""

import os
from pathlib import Path

OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) with the last folder owner-only; an existing one is left as it
    is (it may be shared on purpose, e.g. a static folder served by a web server)."""
    path.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
    return path


def private_sqlite_file(name: str) -> None:
    """Make sure the SQLite database file ``name`` is owner-only before SQLite opens it.

    SQLite creates a missing file as 0644 (less the umask), and gives its journal and WAL files the
    database file's mode: so the file is created here first, empty (an empty file is an empty database),
    and an existing file of ours that others may read is tightened.
    """
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE)
    except FileExistsError:
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(OWNER_ONLY_FILE)
    else:
        os.close(descriptor)
