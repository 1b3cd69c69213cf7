"""The API as automation uses it: a real HTTP server, a token in the header (the README's curl example),
the sandbox behind it."""

from __future__ import annotations

import pytest
import requests

from tests.fixtures import sandbox as sandbox_account
from tests.fixtures.api import token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_read_and_file_over_http(live_server, operator, seeded_sandbox, sandbox_connection):
    headers = {"Authorization": f"Bearer {token_for(operator, scopes=['change'], name='ci')}"}
    base = f"{live_server.url}/api/v1"
    pools = requests.get(f"{base}/connections/{sandbox_connection.pk}/pools/", headers=headers, timeout=10)
    assert pools.status_code == 200 and pools.headers["Content-Type"] == "application/json"
    assert "infer-t4" in {pool["display_name"] for pool in pools.json()["data"]}
    pool_id = sandbox_account.pool_id(seeded_sandbox, "infer-t4")
    request = {
        "connection": sandbox_connection.pk,
        "kind": "pool_tags",
        "target": pool_id,
        "body": {"add": {"owner": "ci"}, "remove": []},
        "reason": "tag from the pipeline",
    }
    filed = requests.post(
        f"{base}/change-requests/", json=request, headers={**headers, "Idempotency-Key": "run-42"}, timeout=10
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["data"]["status"] == "pending"
    anonymous = requests.get(f"{base}/change-requests/", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["message"]
