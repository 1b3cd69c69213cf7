"""``manage.py demo`` as a newcomer runs it: it serves, logs in, keeps its estate, and Ctrl-C stops it all."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from pools.sandbox import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK
from tests.fixtures.sandbox import pool_body, signed_request

ROOT = Path(__file__).resolve().parents[1]
START_DEADLINE_SECONDS = 60
STOP_DEADLINE_SECONDS = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class DemoProcess:
    """One ``manage.py demo`` child whose output is collected in the background."""

    def __init__(self, var_dir: Path, port: int, sandbox_port: int, *extra: str):
        # Its own var/ (SQLite, secrets, sandbox state) and the defaults a newcomer has: no database or
        # cache from the CI environment, no preset password, no settings module chosen by pytest.
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "CACHE_URL", "DEMO_PASSWORD", "DEBUG", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
        self.port, self.sandbox_port = port, sandbox_port
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "demo", "--port", str(port), "--sandbox-port", str(sandbox_port)]
            + list(extra),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the demo exited with {self.process.returncode}:\n{self.output}")
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)  # polling interval while the demo starts, bounded by the deadline
        raise AssertionError(f"the demo did not answer within {START_DEADLINE_SECONDS} s:\n{self.output}")

    def password(self) -> str:
        found = re.search(r"^\s+viewer\s+Viewer\s+password: (\S+)$", self.output, re.MULTILINE)
        assert found, f"no viewer login printed:\n{self.output}"
        return found.group(1)

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_DEADLINE_SECONDS)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start_demo(tmp_path):
    started = []

    def start(*extra: str, port: int | None = None, sandbox_port: int | None = None) -> DemoProcess:
        demo = DemoProcess(tmp_path / "var", port or free_port(), sandbox_port or free_port(), *extra)
        started.append(demo)
        return demo

    yield start
    for demo in started:
        demo.kill()


def log_in(demo: DemoProcess, username: str, password: str) -> requests.Session:
    session = requests.Session()
    login_url = f"{demo.url}/accounts/login/"
    session.get(login_url, timeout=10)
    answer = session.post(
        login_url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": login_url},
        timeout=10,
    )
    assert answer.url == f"{demo.url}/", f"{username} could not log in"
    return session


def request_and_approve_a_deletion(demo: DemoProcess, pool_name: str) -> str:
    """As the operator, request the deletion of ``pool_name``; as the approver, approve it. The request's page."""
    operator = log_in(demo, "operator", demo.password())
    connection_id = re.search(r'href="/pools/(\d+)/', operator.get(f"{demo.url}/pools/", timeout=30).text)[1]
    delete_url = f"{demo.url}/pools/{connection_id}/{pool_name}/delete/"
    filed = operator.post(
        delete_url,
        data={
            "confirmation": pool_name,
            "reason": "The demo's worker makes the call.",
            "submission_key": uuid.uuid4().hex,
            "csrfmiddlewaretoken": operator.cookies["csrftoken"],
        },
        headers={"Referer": delete_url},
        timeout=30,
    )
    request_url = re.match(rf"{re.escape(demo.url)}/requests/\d+/$", filed.url)
    assert request_url, f"no request filed: {filed.url}"
    approver = log_in(demo, "approver", demo.password())
    approver.post(
        f"{request_url[0]}approve/",
        data={"password": demo.password(), "csrfmiddlewaretoken": approver.cookies["csrftoken"]},
        headers={"Referer": request_url[0]},
        timeout=30,
    )
    return request_url[0]


@pytest.mark.timeout(150)
def test_demo_serves_then_ctrl_c_stops_the_dashboard_and_the_sandbox(start_demo, tmp_path):
    demo = start_demo()
    demo.wait_until_serving()
    sandbox_url = f"http://127.0.0.1:{demo.sandbox_port}"
    assert f"ModelArts Admin demo: {demo.url}/" in demo.output
    assert f"ModelArts sandbox:    {sandbox_url}" in demo.output
    for username in ("admin", "operator", "approver", "auditor", "viewer"):
        assert re.search(rf"^\s+{username}\s+\w+\s+password: \S+$", demo.output, re.MULTILINE)
    # The sandbox's keys, for a second connection to it.
    for label, value in (
        ("endpoint", sandbox_url),
        ("project id", DEFAULT_PROJECT_ID),
        ("access key", DEFAULT_AK),
    ):
        assert re.search(rf"^\s+{label}\s+{re.escape(value)}$", demo.output, re.MULTILINE), label
    assert re.search(rf"^\s+secret key\s+{re.escape(DEFAULT_SK)}$", demo.output, re.MULTILINE)
    viewer = log_in(demo, "viewer", demo.password())
    overview = viewer.get(f"{demo.url}/", timeout=30)
    assert overview.status_code == 200 and "Sandbox (demo)" in overview.text

    # Metrics and health, on in the demo: the pool list's reads counted, the sandbox reachable.
    assert f"Monitoring:           {demo.url}/metrics" in demo.output
    assert viewer.get(f"{demo.url}/pools/", timeout=30).status_code == 200
    metrics = requests.get(f"{demo.url}/metrics", timeout=30)
    assert metrics.status_code == 200
    assert (
        'modelarts_admin_upstream_calls_total{method="GET",operation="ListPools",outcome="ok"}'
        in metrics.text
    )
    ready = requests.get(f"{demo.url}/health/ready/", headers={"Accept": "application/json"}, timeout=30)
    assert ready.status_code == 200 and set(ready.json().values()) == {"OK"}

    # DEBUG is off, as in production: the project's own 404 page, static files from whitenoise.
    missing = viewer.get(f"{demo.url}/no/such/page/", timeout=10)
    assert missing.status_code == 404 and "Page not found" in missing.text
    assert 'class="mainnav"' in missing.text and "URLconf" not in missing.text
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', overview.text)
    assert stylesheet, "hashed static file names (the manifest storage of production)"
    assert viewer.get(f"{demo.url}{stylesheet.group(1)}", timeout=10).status_code == 200

    listed = signed_request(
        "GET",
        f"{sandbox_url}/v2/{DEFAULT_PROJECT_ID}/pools",
        ak=DEFAULT_AK,
        sk=DEFAULT_SK,
        project_id=DEFAULT_PROJECT_ID,
    )
    assert len(listed.json()["items"]) >= 5, "the demo estate is seeded"
    created = signed_request(
        "POST",
        f"{sandbox_url}/v2/{DEFAULT_PROJECT_ID}/pools",
        json=pool_body("kept-across-restarts"),
        ak=DEFAULT_AK,
        sk=DEFAULT_SK,
        project_id=DEFAULT_PROJECT_ID,
    )
    assert created.status_code in (200, 201), created.text

    # Nothing else running: the demo's own worker makes an approved change.
    running = [p for p in listed.json()["items"] if p["status"]["phase"] == "Running"]
    request_url = request_and_approve_a_deletion(demo, running[0]["metadata"]["name"])
    viewer_of_request = log_in(demo, "approver", demo.password())
    deadline = time.monotonic() + 30
    while 'data-status="succeeded"' not in (page := viewer_of_request.get(request_url, timeout=10).text):
        assert time.monotonic() < deadline, f"not executed by the demo's worker:\n{page}"
        time.sleep(0.5)  # the worker looks for queued runs every half second

    # The demo's webhook receiver got the request's notifications, each signature verified, and logged them.
    assert re.search(r"^Webhook receiver:\s+http://127\.0\.0\.1:\d+/hook", demo.output, re.MULTILINE)
    deadline = time.monotonic() + 15
    while "webhook: execution_succeeded: Done: #" not in demo.output:
        assert time.monotonic() < deadline, f"no notification printed:\n{demo.output}"
        time.sleep(0.5)
    assert "webhook: approval_pending: Approval needed: #" in demo.output
    logged = [json.loads(line) for line in (tmp_path / "var" / "webhook.log").read_text().splitlines()]
    assert {"approval_pending", "request_approved", "execution_succeeded"} <= {
        line["event"] for line in logged
    }
    assert {line["signature"] for line in logged} == {"verified"}

    assert demo.interrupt() == 0, demo.output
    assert not port_accepts(demo.port) and not port_accepts(demo.sandbox_port)

    # Again: the same users and password, the same estate (the pool made above is still there).
    again = start_demo(port=demo.port, sandbox_port=demo.sandbox_port)
    again.wait_until_serving()
    assert again.password() == demo.password()
    listed = signed_request(
        "GET",
        f"{sandbox_url}/v2/{DEFAULT_PROJECT_ID}/pools",
        ak=DEFAULT_AK,
        sk=DEFAULT_SK,
        project_id=DEFAULT_PROJECT_ID,
    )
    names = [pool["metadata"]["labels"]["os.modelarts/name"] for pool in listed.json()["items"]]
    assert "kept-across-restarts" in names
    admin = log_in(again, "admin", again.password())
    assert admin.get(f"{again.url}/admin/auth/user/", timeout=10).status_code == 200, (
        "the admin manages users"
    )
    assert again.interrupt() == 0, again.output
    assert not port_accepts(again.port) and not port_accepts(again.sandbox_port)


@pytest.mark.timeout(60)
def test_a_busy_dashboard_port_is_refused_with_advice(start_demo):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        demo = start_demo(port=taken.getsockname()[1])
        assert demo.process.wait(timeout=START_DEADLINE_SECONDS) != 0
    demo._reader.join(timeout=5)
    assert f"Port {demo.port} on 127.0.0.1 is already in use" in demo.output
    assert "scripts/demo.sh --port" in demo.output
    assert not port_accepts(demo.sandbox_port)
