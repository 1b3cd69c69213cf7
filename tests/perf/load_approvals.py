"""Load on the real stack: readers hammer the main pages while change requests are filed and approved.

Not a test (pytest does not collect it). Needs PostgreSQL and Redis on loopback. From the repository root:

    .venv/bin/python tests/perf/load_approvals.py \\
        --database postgres://postgres@127.0.0.1:5432/reliability --cache redis://127.0.0.1:6379/10

It migrates that database, starts the ModelArts sandbox (in this process), gunicorn (2 workers) on free
loopback ports and the task worker (``manage.py db_worker``, which makes the approved calls), seeds pools, users and a connection, then for ``--seconds`` runs ``--readers`` threads that
GET the main pages and ``--requests`` delete-pool requests, each filed by an operator and approved by TWO
approvers racing each other (one approval is enough, so the second must not execute it again). It prints a
table: requests, 5xx errors, p50/p95 latency, change requests filed/approved/executed (after waiting for the
worker to run what was queued), and the sandbox's DeletePool count, which must equal the executed requests
(no lost and no duplicated change).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pools.sandbox import Account, ManualClock, Sandbox  # noqa: E402
from tests.fixtures.sandbox import AK, PROJECT_ID, REGION, SK, pool_body  # noqa: E402

PASSWORD = "load-test password 42"
PAGES = ("/", "/pools/", "/approvals/", "/requests/mine/", "/audit/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:g} s")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.server_errors = 0
        self.filed = 0
        self.approvals_sent = 0
        self.approvals_refused = 0

    def timed(self, session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies.append(elapsed)
            self.server_errors += response.status_code >= 500
        return response


def session_for(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"log-in as {username} failed: {answer.status_code}")
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = f"{base}/"
    return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    os.environ.update(
        DATABASE_URL=args.database,
        CACHE_URL=args.cache,
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="modelarts_admin.settings",
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from pools import permissions
    from pools.models import ChangeRequest
    from tests.fixtures.connections import build_connection
    from tests.fixtures.users import make_user

    sandbox = Sandbox([Account(AK, SK, PROJECT_ID)], region=REGION, clock=ManualClock(time.time()))
    sandbox.start()
    run = secrets.token_hex(3)
    pools = [
        sandbox.create_pool(PROJECT_ID, pool_body(f"load-{run}-{i}"))["metadata"]["name"]
        for i in range(args.requests)
    ]
    sandbox.settle()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {}
    for role, name in (
        (permissions.OPERATOR, "op"),
        (permissions.APPROVER, "ap1"),
        (permissions.APPROVER, "ap2"),
        (permissions.ADMINISTRATOR, "admin"),
    ):
        username = f"load-{run}-{name}"
        users[name] = make_user(User, username, role)
        users[name].set_password(PASSWORD)
        users[name].save()
    connection = build_connection(
        f"load-{run}",
        access_key=AK,
        secret_key=SK,
        region=REGION,
        project_id=PROJECT_ID,
        endpoint=sandbox.url,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "modelarts_admin.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    worker = subprocess.Popen(
        [python, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2", "-v0"],
        cwd=ROOT,
    )
    stats = Stats()
    try:
        wait_for(f"{base}/accounts/login/", 30)
        sessions = {name: session_for(base, user.username) for name, user in users.items()}
        for session in sessions.values():
            session.post(
                f"{base}/connections/switch/", data={"connection": connection.pk, "next": "/"}, timeout=30
            )
        stop = threading.Event()

        def read(reader: int) -> None:
            session = session_for(base, users["admin"].username)
            index = reader
            while not stop.is_set():
                stats.timed(session, "GET", base + PAGES[index % len(PAGES)])
                index += 1

        def approve(name: str, pk: int, start: threading.Barrier) -> None:
            start.wait()
            answer = stats.timed(
                sessions[name], "POST", f"{base}/requests/{pk}/approve/", data={"password": PASSWORD}
            )
            with stats.lock:
                stats.approvals_sent += 1
                stats.approvals_refused += answer.status_code == 409

        def write() -> None:
            pause = args.seconds / max(args.requests, 1) / 2
            for pool in pools:
                if stop.is_set():
                    return
                filed = stats.timed(
                    sessions["op"],
                    "POST",
                    f"{base}/pools/{connection.pk}/{pool}/delete/",
                    data={
                        "confirmation": pool,
                        "reason": "load test",
                        "submission_key": secrets.token_hex(16),
                    },
                )
                match = re.search(r"/requests/(\d+)/", filed.headers.get("Location", ""))
                if not match:
                    continue
                with stats.lock:
                    stats.filed += 1
                start = threading.Barrier(2)
                racers = [
                    threading.Thread(target=approve, args=(n, int(match.group(1)), start))
                    for n in ("ap1", "ap2")
                ]
                for racer in racers:
                    racer.start()
                for racer in racers:
                    racer.join()
                stop.wait(pause)

        readers = [threading.Thread(target=read, args=(i,)) for i in range(args.readers)]
        writer = threading.Thread(target=write)
        started = time.monotonic()
        for thread in [*readers, writer]:
            thread.start()
        stop.wait(args.seconds)
        stop.set()
        for thread in [*readers, writer]:
            thread.join()
        duration = time.monotonic() - started
        mine = ChangeRequest.objects.filter(connection=connection)
        unfinished = (ChangeRequest.Status.APPROVED, ChangeRequest.Status.EXECUTING)
        deadline = time.monotonic() + 60
        while mine.filter(status__in=unfinished).exists() and time.monotonic() < deadline:
            time.sleep(0.2)  # the worker runs what the approvals queued
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)

    queued = mine.filter(status=ChangeRequest.Status.APPROVED).count()
    approved = mine.exclude(status__in=[ChangeRequest.Status.PENDING, ChangeRequest.Status.REJECTED]).count()
    executed = mine.filter(status=ChangeRequest.Status.SUCCEEDED).count()
    stuck = mine.filter(status=ChangeRequest.Status.EXECUTING).count()
    deletes = sandbox.calls("DeletePool")
    sandbox.stop()
    latencies = sorted(stats.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    rows = [
        ("duration (s)", f"{duration:.1f}"),
        ("readers / gunicorn workers", f"{args.readers} / 2"),
        ("HTTP requests", len(latencies)),
        ("  per second", f"{len(latencies) / duration:.1f}"),
        ("errors (5xx)", stats.server_errors),
        ("latency p50 (ms)", f"{statistics.median(latencies) * 1000:.0f}"),
        ("latency p95 (ms)", f"{p95 * 1000:.0f}"),
        ("change requests filed", stats.filed),
        ("approvals sent (2 racing per request)", stats.approvals_sent),
        ("approvals refused as already decided (409)", stats.approvals_refused),
        ("change requests approved", approved),
        ("change requests executed (succeeded)", executed),
        ("left queued (approved)", queued),
        ("left executing", stuck),
        ("upstream DeletePool calls", deletes),
        ("upstream == executed", "yes" if deletes == executed else "NO"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0 if deletes == executed and stats.server_errors == 0 and not stuck and not queued else 1


if __name__ == "__main__":
    sys.exit(main())
