"""The optional state file: the whole estate as JSON, replaced atomically after every change, so a
restarted sandbox (the demo's) resumes where it stopped. Timestamps are absolute, so pools that were
creating or deleting carry on as if the sandbox had never stopped."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def save(path: Path, state: dict[str, Any]) -> None:
    """Write to a temporary file in the same folder, then rename it over the old one."""
    # A new folder is owner-only; mkstemp makes the file itself 0600, and the rename keeps that.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(state, file, separators=(",", ":"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict[str, Any] | None:
    """The saved state, or ``None`` when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)
