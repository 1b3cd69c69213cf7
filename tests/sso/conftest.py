"""A real OpenID Connect provider (npm ``oidc-provider``, tests/sso/idp/server.mjs) in a second process,
and a browser-like walk through its sign-in for the dashboard's single sign-on.

scripts/test.sh installs the provider (``npm ci --prefix tests/sso/idp``); without Node.js these tests skip
and say so, as the browser tests do without chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

IDP_DIR = Path(__file__).parent / "idp"
CLIENT_ID = "modelarts-admin"
CLIENT_SECRET = "test-client-secret-not-for-real-use"  # noqa: S105
CALLBACK = "http://testserver/accounts/sso/callback/"
GROUP_ROLES = (
    "cloud-ops=operator,cloud-approvers=approver,cloud-auditors=auditor;viewer,cloud-admins=administrator"
)
ACCOUNTS = {
    "olga": {"email": "olga@example.test", "groups": ["/cloud-ops", "unrelated-team"]},
    "arne": {"email": "arne@example.test", "groups": ["cloud-approvers"]},
    "ari": {"email": "ari@example.test", "groups": ["cloud-approvers"]},
    "nina": {"email": "nina@example.test", "groups": ["marketing", "cloud-opps"]},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Idp:
    issuer: str

    def spoil_next_token(self, mode: str) -> None:
        """The next token answer carries a bad ID token (see server.mjs)."""
        requests.post(f"{self.issuer}/_test/next-token", json={"mode": mode}, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def idp():
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip(
            "no Node.js or no tests/sso/idp/node_modules: run scripts/test.sh (npm ci --prefix tests/sso/idp)"
        )
    port = _free_port()
    environment = {
        **os.environ,
        "IDP_CLIENT": json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [CALLBACK],
                "post_logout_redirect_uris": ["http://testserver/accounts/login/"],
            }
        ),
        "IDP_ACCOUNTS": json.dumps(ACCOUNTS),
    }
    process = subprocess.Popen(  # noqa: S603
        [node, "server.mjs", str(port)],
        cwd=IDP_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the test IdP did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.1)
    yield Idp(issuer=issuer)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso(idp, settings):
    """Single sign-on on, against the test IdP (endpoints discovered from its issuer)."""
    from pools.sso import config

    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = idp.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_GROUP_ROLES = config.parse_group_roles(GROUP_ROLES)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "pools.sso.backend.SsoBackend"]
    return idp


class IdpBrowser:
    """The browser's side at the IdP: its cookies (its own sign-in session) and its log-in form."""

    def __init__(self):
        self.session = requests.Session()
        self.logins = 0

    def to_callback(self, url: str, login: str) -> str:
        """Follow the IdP from an authorization URL until it sends the browser back to the dashboard."""
        for _ in range(10):
            if url.startswith(CALLBACK):
                return url[len("http://testserver") :]
            response = self.session.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = requests.compat.urljoin(url, response.headers["Location"])
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert response.status_code == 200 and action, f"no log-in form at {url}: {response.text[:500]}"
            self.logins += 1
            answer = self.session.post(
                requests.compat.urljoin(url, unescape(action.group(1))),
                data={"prompt": "login", "login": login, "password": "any"},
                allow_redirects=False,
                timeout=10,
            )
            url = requests.compat.urljoin(url, answer.headers["Location"])
        raise AssertionError("the IdP never sent the browser back")


def sign_in(client, browser: IdpBrowser, login: str, start: str = "/accounts/sso/login/"):
    """The dashboard's sign-in through the IdP; returns the dashboard's answer to the callback."""
    response = client.get(start)
    assert response.status_code == 302, response
    location = response["Location"]
    assert not location.startswith("/"), f"expected a redirect to the IdP, got {location}"
    callback = browser.to_callback(location, login)
    query = dict(part.split("=", 1) for part in urlsplit(callback).query.split("&"))
    assert "code" in query and "state" in query
    return client.get(callback)
