"""Development-only secrets kept in the git-ignored var/ folder.

In production every secret comes from the environment; these helpers exist so that a newcomer can start the
dashboard with no configuration at all, and they refuse to run when DEBUG is off.
"""

import base64
import logging
import os
import secrets
from pathlib import Path

from modelarts_admin.private_files import private_dir

logger = logging.getLogger(__name__)


def read_or_create(path: Path, make) -> str:
    """Return the secret stored at ``path``, creating it with ``make()`` on first use."""
    if path.exists():
        return path.read_text().strip()
    private_dir(path.parent)
    value = make()
    # Created with owner-only permissions: the file is a secret even in development.
    path.touch(mode=0o600)
    path.write_text(value + "\n")
    logger.warning("Generated a development secret in %s; set it from the environment in production.", path)
    return value


def token() -> str:
    return secrets.token_urlsafe(50)


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
