"""Who may call the sandbox: (AK, SK, project id) triples.

An AK owns every project it is listed with. The default account is what ``manage.py modelarts_sandbox`` and
the demo use when nothing else is given; it is a local development credential, never a real one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_AK = "SANDBOXDEMOAK0000001"
DEFAULT_SK = "sandbox-demo-secret-key-not-for-real-use"
DEFAULT_PROJECT_ID = "0a1b2c3d4e5f4a6b8c9d0e1f2a3b4c5d"


@dataclass(frozen=True)
class Account:
    ak: str
    sk: str = field(repr=False)
    project_id: str


DEFAULT_ACCOUNT = Account(DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID)


class AccountBook:
    """The known accounts; safe to add to while the server runs."""

    def __init__(self, accounts: Iterable[Account] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._projects: dict[str, set[str]] = {}
        for account in accounts:
            self.add(account)

    def add(self, account: Account) -> None:
        if not (account.ak and account.sk and account.project_id):
            raise ValueError("an account needs an AK, an SK and a project id")
        with self._lock:
            known = self._secrets.get(account.ak)
            if known is not None and known != account.sk:
                raise ValueError("this AK is already registered with another SK")
            self._secrets[account.ak] = account.sk
            self._projects.setdefault(account.ak, set()).add(account.project_id)

    def secret_for(self, ak: str) -> str | None:
        with self._lock:
            return self._secrets.get(ak)

    def owns(self, ak: str, project_id: str) -> bool:
        with self._lock:
            return project_id in self._projects.get(ak, set())

    def project_ids(self) -> list[str]:
        with self._lock:
            return sorted({project for projects in self._projects.values() for project in projects})
