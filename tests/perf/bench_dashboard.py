"""Where a dashboard request spends its time: the browse pages over the sandbox with injected latency.

Not a test (pytest does not collect it). Run from the repository root, with Redis on 127.0.0.1:6379:

    /work/main/.venv/bin/python tests/perf/bench_dashboard.py [--cache-url redis://127.0.0.1:6379/9]
        [--database-url postgres://postgres@127.0.0.1:5432/perf] [--quick] [--profile]

It starts everything itself, on loopback only, and removes it afterwards:

* the ModelArts sandbox in a child process (``--serve-sandbox``), set up with its Python API: five accounts
  and projects, one with 200 pools, one with a 5,000-node pool, a 100-node pool and a CPU pool old enough
  for a full day of monitoring data, three with the demo estate;
* a scratch database (an SQLite file, or a scratch database next to ``--database-url``), migrated, with
  viewers and the five connections; static files collected as production serves them;
* gunicorn with 2 workers (gthread) on a socket this script binds to a free port, DEBUG off, Redis cache;
* logged-in sessions: one through the login form, the others as Django's test client creates them.

It prints one table: each measure, the figure, the target. Time targets are ratios (page time over the
injected upstream latency L, or one page over another) so that a busy machine moves both sides alike.
``--profile`` adds a pyinstrument profile of the slowest page (the cold pool list), taken in this process.
Exit status: 0 when every target is met, 2 when one is missed, 1 when the run itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import logging
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

POOL_LIST_POOLS = 200
BIG_POOL_NODES = 5000
SMALL_POOL_NODES = 100
OVERVIEW_CONNECTIONS = 5
WORKERS = 2
THREADS_PER_WORKER = 8
CACHE_SECONDS = 5
POOL_LIST_LATENCY_MS = 100
OVERVIEW_LATENCY_MS = 200
VIEWERS = 50
VIEWER_SECONDS = 30.0
READ_KEYS = "*pools:read:*"  # every cached read (fresh, stale, lock), whatever the key prefix
DAY = 86400.0


class BenchError(Exception):
    """The run could not measure what it meant to (a page failed, a server did not start)."""


# --- the sandbox, in its own process --------------------------------------------------------------------


def _project_id(number: int) -> str:
    return hashlib.sha256(f"bench-project-{number}".encode()).hexdigest()[:32]


def serve_sandbox() -> int:
    """Child process: build the estate with the sandbox's Python API, print it as JSON, serve until stdin
    closes (the parent ending, for whatever reason, stops this process too)."""
    from pools.sandbox import Account, ManualClock, Sandbox
    from tests.fixtures.sandbox import pool_body

    accounts = [
        Account(f"BENCHAK{number:013d}", f"bench-secret-key-{number:023d}", _project_id(number))
        for number in range(OVERVIEW_CONNECTIONS)
    ]
    # Everything is created three days ago and then settled, so every pool runs and has a day of data.
    sandbox = Sandbox(accounts, clock=ManualClock(time.time() - 3 * DAY), creation_seconds=60)
    many, nodes, *demo = (account.project_id for account in accounts)
    for number in range(POOL_LIST_POOLS):
        sandbox.create_pool(many, pool_body(f"pool-{number:03d}", count=2))
    big = pool_body("nodes-5000", flavor="modelarts.vm.cpu.8ud", count=1000)
    big["spec"]["resources"] += [
        {"flavor": flavor, "count": 1000}
        for flavor in (
            "modelarts.vm.cpu.16ud",
            "modelarts.vm.gpu.t4u8",
            "modelarts.vm.gpu.v100",
            "modelarts.bm.gpu.8v100",
        )
    ]
    estate = {
        "big": sandbox.create_pool(nodes, big)["metadata"]["name"],
        "small": sandbox.create_pool(nodes, pool_body("nodes-100", count=SMALL_POOL_NODES))["metadata"][
            "name"
        ],
        "cpu": sandbox.create_pool(
            nodes, pool_body("monitor-cpu", flavor="modelarts.vm.cpu.8ud", scope=("Train",))
        )["metadata"]["name"],
    }
    for project in demo:
        sandbox.seed_demo(project)
    sandbox.settle()
    sandbox.clock.set(time.time())
    url = sandbox.start()
    accounts_out = [{"ak": a.ak, "sk": a.sk, "project_id": a.project_id} for a in accounts]
    sys.stdout.write(json.dumps({"url": url, "accounts": accounts_out, "pools": estate}) + "\n")
    sys.stdout.flush()
    sys.stdin.read()
    sandbox.stop()
    return 0


@dataclass
class SandboxProcess:
    process: subprocess.Popen
    url: str
    accounts: list[dict]
    pools: dict[str, str]

    @classmethod
    def start(cls) -> SandboxProcess:
        process = subprocess.Popen(
            [sys.executable, __file__, "--serve-sandbox"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = process.stdout.readline()
        if not line:
            process.wait(timeout=10)
            raise BenchError(f"the sandbox process ended before serving (exit {process.returncode})")
        estate = json.loads(line)
        return cls(process, estate["url"], estate["accounts"], estate["pools"])

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def latency(self, ms: int) -> None:
        """Every API request is answered ``ms`` after it arrived (and nothing else goes wrong): the
        sandbox's own work happens within that time, as a remote API's does within its latency."""
        self.control("DELETE", "faults")
        if ms:
            self.control("POST", "faults", {"kind": "latency", "latency_ms": ms, "includes_work": True})

    def clear_calls(self) -> None:
        self.control("DELETE", "calls")

    def calls(self, operation: str) -> int:
        return self.control("GET", "calls")["byOperation"].get(operation, 0)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# --- the dashboard's environment, database and server ---------------------------------------------------


@dataclass
class Scratch:
    """The temporary folder, database and settings of one run, and how to remove them."""

    folder: Path
    env: dict[str, str]
    postgres_admin_url: str | None = None
    postgres_name: str | None = None

    @classmethod
    def create(cls, cache_url: str, database_url: str | None) -> Scratch:
        from cryptography.fernet import Fernet

        admin_url = scratch_name = None
        if database_url:
            # The scratch database sits next to the named one; the server's own "postgres" database is
            # where it is created and dropped (the named one need not exist).
            parts = urlsplit(database_url)
            name = parts.path.lstrip("/") or "postgres"
            if not re.fullmatch(r"[A-Za-z0-9_]{1,50}", name):
                raise BenchError(f"use a plain database name in --database-url, not {name!r}")
            scratch_name = f"{name}_bench"
            admin_url = urlunsplit(parts._replace(path="/postgres"))
            _postgres(admin_url, f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)')
            _postgres(admin_url, f'CREATE DATABASE "{scratch_name}"')
            database_url = urlunsplit(parts._replace(path=f"/{scratch_name}"))
        folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
        env = {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
            "VAR_DIR": str(folder),
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'db.sqlite3'}",
            "CACHE_URL": cache_url,
            "SELECTOR_CACHE_SECONDS": str(CACHE_SECONDS),
            "LOG_LEVEL": "INFO",
        }
        return cls(folder, env, admin_url, scratch_name)

    def remove(self) -> None:
        if self.postgres_name:
            from django.db import connections

            connections.close_all()
            _postgres(self.postgres_admin_url, f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)


def _postgres(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def prepare_django(scratch: Scratch) -> None:
    os.environ.update(scratch.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "modelarts_admin.settings"
    import django

    django.setup()
    # This process serves a few requests itself (memory, profile); their log lines would garble the table.
    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


@dataclass
class Estate:
    """What the dashboard's database holds for the run: connections by role, and the viewers."""

    connections: list  # pools.models.Connection, one per sandbox account
    viewers: list  # django.contrib.auth.models.User
    password: str

    @property
    def many_pools(self):
        return self.connections[0]

    @property
    def node_pools(self):
        return self.connections[1]


def create_estate(sandbox: SandboxProcess, viewers: int) -> Estate:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from pools import permissions
    from tests.fixtures.connections import build_connection

    names = ["bench-200-pools", "bench-nodes", "bench-demo-a", "bench-demo-b", "bench-demo-c"]
    connections = [
        build_connection(
            name,
            access_key=account["ak"],
            secret_key=account["sk"],
            project_id=account["project_id"],
            endpoint=sandbox.url,
        )
        for name, account in zip(names, sandbox.accounts, strict=True)
    ]
    permissions.ensure_roles()
    role = Group.objects.get(name=permissions.VIEWER)
    password = secrets.token_urlsafe(16)
    users = []
    for number in range(viewers):
        user = get_user_model().objects.create_user(username=f"viewer-{number:02d}")
        if number == 0:
            user.set_password(password)  # the one who logs in through the form
        user.save()
        user.groups.add(role)
        users.append(user)
    return Estate(connections, users, password)


@dataclass
class Gunicorn:
    process: subprocess.Popen
    url: str
    log: Path

    @classmethod
    def start(cls, scratch: Scratch, workers: int, threads: int) -> Gunicorn:
        """Serve on a socket bound here to a free loopback port, handed to gunicorn as ``fd://``."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        port = listener.getsockname()[1]
        log = scratch.folder / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "modelarts_admin.wsgi:application",
            f"--bind=fd://{listener.fileno()}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            f"--error-logfile={log}",
        ]
        with open(log, "ab") as output:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env={**os.environ, **scratch.env},
                pass_fds=[listener.fileno()],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        listener.close()  # gunicorn holds its own copy
        server = cls(process, f"http://127.0.0.1:{port}", log)
        server.wait_ready()
        return server

    def wait_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200:
                    return
            threading.Event().wait(0.2)
        raise BenchError(f"gunicorn did not answer within {seconds:g} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """CPU time the workers have used so far (user + system), from /proc."""
        master = self.process.pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ticks = 0
        for pid in workers:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# --- browsers ---------------------------------------------------------------------------------------------


class Browser:
    """One logged-in browser: its own keep-alive connections and session cookie."""

    def __init__(self, base_url: str, session_key: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        # Set without the Secure flag the server gives it: this is plain HTTP on loopback.
        self.http.cookies.set("sessionid", session_key)

    def get(self, path: str, *, htmx: bool = False, expect: str = "", **headers: str) -> requests.Response:
        if htmx:
            headers["HX-Request"] = "true"
        response = self.http.get(f"{self.base_url}{path}", headers=headers, timeout=60)
        if response.status_code != 200 or (expect and expect not in response.text):
            raise BenchError(
                f"GET {path} answered {response.status_code} without {expect!r}: {response.text[:300]!r}"
            )
        if "upstream-error" in response.text:
            raise BenchError(f"GET {path} shows an upstream error banner: {_banner(response.text)}")
        return response

    def timed_get(self, path: str, **options) -> float:
        started = time.perf_counter()
        self.get(path, **options)
        return time.perf_counter() - started


def _banner(html: str) -> str:
    start = html.find("upstream-error")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : start + 1500]))[:400]


def login_through_form(base_url: str, username: str, password: str) -> str:
    """Log in as a person does; returns the session key."""
    http = requests.Session()
    page = http.get(f"{base_url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise BenchError("the login page has no CSRF token")
    cookies = {name: value for name, value in page.cookies.items()}
    answer = http.post(
        f"{base_url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        cookies=cookies,
        allow_redirects=False,
        timeout=30,
    )
    session_key = answer.cookies.get("sessionid")
    if answer.status_code != 302 or not session_key:
        raise BenchError(f"logging in through the form failed ({answer.status_code})")
    return session_key


def session_key_for(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    result: str
    target: str
    met: bool | None  # None: reported, no target

    @property
    def verdict(self) -> str:
        return "report" if self.met is None else "ok" if self.met else "MISSED"


@dataclass
class Run:
    sandbox: SandboxProcess
    server: Gunicorn
    estate: Estate
    browser: Browser
    cache_url: str
    samples: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def forget_reads(self) -> None:
        """A cold cache: every cached upstream read (fresh, stale and lock keys) is gone."""
        forget_reads(self.cache_url)

    def browsers(self, count: int) -> list[Browser]:
        return [Browser(self.server.url, session_key_for(user)) for user in self.estate.viewers[:count]]


def forget_reads(cache_url: str) -> None:
    import redis

    client = redis.Redis.from_url(cache_url)
    keys = list(client.scan_iter(match=READ_KEYS, count=1000))
    if keys:
        client.delete(*keys)


def forget_login_counters(cache_url: str, username: str) -> None:
    """The log-in throttle's counters for our one form log-in (pools/services/login_throttle.py keys them by
    sha256 of the address and of the username): they would otherwise stay in the cache for their window."""
    import redis

    client = redis.Redis.from_url(cache_url)
    for kind, value in (("ip", "127.0.0.1"), ("user", username.casefold())):
        digest = hashlib.sha256(value.encode()).hexdigest()
        keys = list(client.scan_iter(match=f"*login-throttle:{kind}:{digest}"))
        if keys:
            client.delete(*keys)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def api_calls_ms(run: Run, calls: list[tuple], samples: int) -> float:
    """The API alone: the signed GETs of ``calls`` ((connection, path and query), ...) sent straight to the
    sandbox, all at once as a page's reads are, each over its own kept-alive connection (median)."""
    from pools.modelarts import signer

    def prepared(connection, path_and_query: str):
        account = next(a for a in run.sandbox.accounts if a["project_id"] == connection.project_id)
        url = f"{run.sandbox.url}/v2/{account['project_id']}{path_and_query}"
        return requests.Session(), url, account

    targets = [prepared(*call) for call in calls]

    def send(target) -> None:
        http, url, account = target
        headers = {"Content-Type": "application/json", "X-Project-Id": account["project_id"]}
        signed = signer.sign("GET", url, headers, b"", account["ak"], account["sk"], now=datetime.now(UTC))
        http.get(url, headers=signed, timeout=30).raise_for_status()

    timings = []
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        for _ in range(samples + 1):  # the first round opens the connections
            started = time.perf_counter()
            list(pool.map(send, targets))
            timings.append(time.perf_counter() - started)
    return median_ms(timings[1:])


def measure_signer(run_rows: list[Row], quick: bool) -> None:
    from tests.perf import bench_signer

    rates = bench_signer.speedups(500 if quick else 2000, 3 if quick else 7)
    speedups = {kind: ours / official for kind, (ours, official) in rates.items()}
    worst = bench_signer.worst_speedup(rates)
    detail = ", ".join(f"{kind} {value:.2f}x ({rates[kind][0]:,.0f}/s)" for kind, value in speedups.items())
    target = bench_signer.TARGET_SPEEDUP
    run_rows.append(Row("signer: ours vs official, signatures/s", detail, f">= {target:g}x", worst >= target))


def measure_pool_list(run: Run) -> None:
    connection = run.estate.many_pools
    path = f"/pools/?connection={connection.pk}"
    run.sandbox.latency(POOL_LIST_LATENCY_MS)
    for _ in range(4):  # both workers compile templates and open connections first
        run.forget_reads()
        run.browser.get(path, expect="pool-199")
    timings = []
    cpu_before = run.server.cpu_seconds()
    for _ in range(run.samples):
        run.forget_reads()
        timings.append(run.browser.timed_get(path, expect="pool-199"))
    cpu = (run.server.cpu_seconds() - cpu_before) / run.samples * 1000
    page = median_ms(timings)
    warm = median_ms([run.browser.timed_get(path, expect="pool-199") for _ in range(run.samples)])
    reads = [
        (connection, "/pools?workspaceId=0"),
        (connection, "/metrics/runtime/pools"),
        (connection, "/statistics/pools?workspaceId=0"),
    ]
    check_page_reads(run, lambda: run.browser.get(path, expect="pool-199"), reads)
    api = api_calls_ms(run, reads, run.samples)
    ratio = page / POOL_LIST_LATENCY_MS
    run.rows.append(
        Row(
            f"pool list, {POOL_LIST_POOLS} pools, cold cache: page / L (L = {POOL_LIST_LATENCY_MS} ms)",
            f"{ratio:.2f} ({page:.0f} ms; its {len(reads)} reads alone, at once, {api:.0f} ms = "
            f"{api / POOL_LIST_LATENCY_MS:.2f} L, the page {page - api:.0f} ms over them; "
            f"server CPU {cpu:.0f} ms a page; warm cache {warm:.0f} ms)",
            "<= 1.30",
            ratio <= 1.30,
        )
    )


def check_page_reads(run: Run, load_cold_page: Callable[[], object], reads: list[tuple]) -> None:
    """The reads timed as a page's floor are the reads its cold load makes: the same number of calls of each
    operation reach the sandbox (a page that reads something new fails here rather than flatter itself)."""
    operations = {
        "/pools?": "ListPools",
        "/metrics/runtime/pools": "ShowPoolRuntimeMetrics",
        "/statistics/pools?": "ShowPoolStatistics",
    }
    expected: dict[str, int] = {}
    for _, path in reads:
        operation = next(name for prefix, name in operations.items() if path.startswith(prefix))
        expected[operation] = expected.get(operation, 0) + 1
    run.forget_reads()
    run.sandbox.clear_calls()
    load_cold_page()
    made = run.sandbox.control("GET", "calls")["byOperation"]
    if made != expected:
        raise BenchError(f"a cold page made the calls {made}, not the {expected} timed as its floor")


def measure_overview(run: Run) -> None:
    browsers = run.browsers(OVERVIEW_CONNECTIONS)
    loaded: list[int] = []
    run.sandbox.latency(OVERVIEW_LATENCY_MS)

    def load_page() -> float:
        """The page, then the cards it left to load on their own (all at once, as htmx loads them)."""
        started = time.perf_counter()
        page = run.browser.get("/", expect="usage-card")
        lazy = re.findall(r'hx-get="(/overview/\d+/)"', page.text)
        with ThreadPoolExecutor(max_workers=max(1, len(lazy))) as pool:
            cards = list(
                pool.map(
                    lambda pair: pair[0].get(pair[1], htmx=True, expect="stat-counts").text,
                    zip(browsers, lazy, strict=False),
                )
            )
        shown = page.text.count('class="stat-counts') + sum(
            card.count('class="stat-counts') for card in cards
        )
        if shown != OVERVIEW_CONNECTIONS:
            raise BenchError(f"the overview shows {shown} cards, not {OVERVIEW_CONNECTIONS}")
        loaded.append(len(lazy))
        return time.perf_counter() - started

    for _ in range(3):
        run.forget_reads()
        load_page()
    timings = []
    for _ in range(run.samples):
        run.forget_reads()
        timings.append(load_page())
    page = median_ms(timings)
    # What the page waits for at the least: the cards' upstream calls, all at once, without the dashboard.
    # Each card reads its project's usage and the pools of each workspace it knows of.
    reads = [
        (connection, path)
        for connection in run.estate.connections
        for path in (
            "/metrics/runtime/pools",
            *(f"/pools?workspaceId={workspace}" for workspace in workspaces_of(connection)),
        )
    ]
    check_page_reads(run, load_page, reads)
    api = api_calls_ms(run, reads, run.samples)
    ratio = page / OVERVIEW_LATENCY_MS
    run.rows.append(
        Row(
            f"overview, {OVERVIEW_CONNECTIONS} connections, page + cards in parallel: time / L "
            f"(L = {OVERVIEW_LATENCY_MS} ms)",
            f"{ratio:.2f} ({page:.0f} ms; the cards' {len(reads)} reads alone, at once, {api:.0f} ms = "
            f"{api / OVERVIEW_LATENCY_MS:.2f} L, the page {page - api:.0f} ms over them; "
            f"cards left to load on their own: median {statistics.median(loaded[3:]):.0f})",
            "<= 1.35",
            ratio <= 1.35,
        )
    )


def workspaces_of(connection) -> tuple[str, ...]:
    """The workspaces the dashboard lists for ``connection``: those its project's usage names."""
    from pools.selectors.modelarts import known_workspaces

    known = known_workspaces(connection=connection, refresh=True)
    if known.error is not None:
        raise BenchError(f"reading the workspaces of {connection.name} failed: {known.error.message}")
    return known.value


def measure_viewers(run: Run, seconds: float, poll_seconds: float) -> None:
    """Viewers poll one pool list (the htmx partial) on their own schedules; count what reaches the API."""
    connection = run.estate.many_pools
    path = f"/pools/?connection={connection.pk}"
    browsers = run.browsers(VIEWERS)
    run.sandbox.latency(POOL_LIST_LATENCY_MS)
    run.forget_reads()
    run.sandbox.clear_calls()
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def viewer(browser: Browser, seed: int) -> None:
        pause = threading.Event()
        next_at = started + random.Random(seed).uniform(0, poll_seconds)
        while next_at < deadline:
            pause.wait(max(0.0, next_at - time.monotonic()))
            try:
                elapsed = browser.timed_get(path, htmx=True, expect='id="pool-table"')
            except (BenchError, requests.RequestException) as failure:
                with lock:
                    failures.append(str(failure)[:200])
                return
            with lock:
                timings.append(elapsed)
            next_at += poll_seconds

    threads = [
        threading.Thread(target=viewer, args=(browser, number), name=f"viewer-{number}")
        for number, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"{len(failures)} viewers failed, e.g. {failures[0]}")
    calls = run.sandbox.calls("ListPools")
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)] * 1000
    run.rows.append(
        Row(
            f"{VIEWERS} viewers polling one pool list every {poll_seconds:g} s for {seconds:g} s "
            f"({CACHE_SECONDS} s cache): upstream ListPools calls",
            f"{calls} ({len(timings)} pages, median {median_ms(timings):.0f} ms, p95 {p95:.0f} ms)",
            "<= 8",
            calls <= 8,
        )
    )


def measure_nodes(run: Run) -> None:
    connection = run.estate.node_pools
    paths = {
        size: f"/pools/{connection.pk}/{run.sandbox.pools[key]}/nodes/"
        for size, key in ((BIG_POOL_NODES, "big"), (SMALL_POOL_NODES, "small"))
    }
    run.sandbox.latency(POOL_LIST_LATENCY_MS)
    for _ in range(2):
        for path in paths.values():
            run.forget_reads()
            run.browser.get(path, expect="node-rows")
    timings: dict[int, list[float]] = {size: [] for size in paths}
    for _ in range(run.samples):
        for size, path in paths.items():  # interleaved, so that a busy moment hits both alike
            run.forget_reads()
            timings[size].append(run.browser.timed_get(path, expect="Load more"))
    big, small = median_ms(timings[BIG_POOL_NODES]), median_ms(timings[SMALL_POOL_NODES])
    ratio = big / small
    peaks = {size: peak_request_memory(run, path) for size, path in paths.items()}
    memory_ratio = peaks[BIG_POOL_NODES] / peaks[SMALL_POOL_NODES]
    run.rows.append(
        Row(
            f"nodes page, {BIG_POOL_NODES:,}-node vs {SMALL_POOL_NODES}-node pool, cold cache "
            f"(L = {POOL_LIST_LATENCY_MS} ms): time ratio",
            f"{ratio:.2f} ({big:.0f} ms vs {small:.0f} ms)",
            "<= 1.2",
            ratio <= 1.2,
        )
    )
    run.rows.append(
        Row(
            "nodes page: peak memory per request (tracemalloc), 5,000 vs 100 nodes",
            f"{memory_ratio:.2f} ({peaks[BIG_POOL_NODES] / 1024:.0f} KiB vs "
            f"{peaks[SMALL_POOL_NODES] / 1024:.0f} KiB)",
            "flat (<= 1.2)",
            memory_ratio <= 1.2,
        )
    )


class InProcess:
    """This process's own Django, called as gunicorn calls it (no test client and its instrumentation),
    with a viewer's session: for measuring memory and for profiling."""

    def __init__(self, run: Run) -> None:
        from django.core.wsgi import get_wsgi_application

        self.application = get_wsgi_application()
        self.cookie = f"sessionid={session_key_for(run.estate.viewers[0])}"

    def get(self, path: str) -> bytes:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": self.cookie,
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        statuses: list[str] = []
        body = b"".join(self.application(environ, lambda status, headers, *_: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise BenchError(f"GET {path} in this process answered {statuses[0]}")
        return body


def peak_request_memory(run: Run, path: str) -> int:
    """Peak bytes allocated (all threads) while this process serves ``path`` with a cold cache (median of 3)."""
    django = InProcess(run)
    run.sandbox.latency(0)
    peaks = []
    for _ in range(3):
        run.forget_reads()
        tracemalloc.start()
        try:
            django.get(path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return int(statistics.median(peaks))


def measure_monitoring(run: Run) -> None:
    connection = run.estate.node_pools
    pool = run.sandbox.pools["cpu"]
    path = f"/pools/{connection.pk}/{pool}/monitoring/?range=24h&statistics=average"
    run.sandbox.latency(0)
    run.forget_reads()
    sizes = {}
    for encoding in ("gzip", "identity"):
        response = run.browser.http.get(
            f"{run.server.url}{path}",
            headers={"HX-Request": "true", "Accept-Encoding": encoding},
            stream=True,
            timeout=60,
        )
        wire = response.raw.read(decode_content=False)
        used = response.headers.get("Content-Encoding", "identity")
        body = gzip.decompress(wire) if used == "gzip" else wire
        sizes[encoding] = (len(wire), used, body)
    chart = re.search(rb'<script id="monitor-data" type="application/json">(.*?)</script>', sizes["gzip"][2])
    if chart is None:
        raise BenchError("the monitoring tab has no chart data")
    payload = json.loads(chart.group(1))
    metrics, points = len(payload["series"]), len(payload["t"])
    wire, used, _ = sizes["gzip"]
    run.rows.append(
        Row(
            f"monitoring tab, {metrics} metrics x {points} points (CPU pool, 24 h at 60 s): bytes on the wire",
            f"{wire / 1024:.1f} KiB ({used}; {sizes['identity'][0] / 1024:.1f} KiB uncompressed, "
            f"chart JSON {len(chart.group(1)) / 1024:.1f} KiB)",
            "<= 100 KB",
            wire <= 100_000 and metrics >= 4 and points == 1440,
        )
    )


def measure_throughput(run: Run, seconds: float, clients: int) -> None:
    connection = run.estate.many_pools
    path = f"/pools/?connection={connection.pk}"
    browsers = run.browsers(clients)
    run.sandbox.latency(POOL_LIST_LATENCY_MS)
    for browser in browsers[:4]:
        browser.get(path, htmx=True, expect='id="pool-table"')
    counts = [0] * clients
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    def hammer(index: int) -> None:
        while time.monotonic() < deadline:
            try:
                browsers[index].get(path, htmx=True, expect='id="pool-table"')
            except (BenchError, requests.RequestException) as failure:
                failures.append(str(failure)[:200])
                return
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if failures:
        raise BenchError(f"the load loop failed: {failures[0]}")
    run.rows.append(
        Row(
            f"cached pool-list partial ({POOL_LIST_POOLS} rows), gunicorn {WORKERS} workers x "
            f"{THREADS_PER_WORKER} threads, {clients} clients: pages/s",
            f"{sum(counts) / elapsed:.0f} ({sum(counts)} pages in {elapsed:.1f} s)",
            "report",
            None,
        )
    )


@contextlib.contextmanager
def reads_on_the_calling_thread() -> Iterator[None]:
    """pyinstrument follows one thread: while profiling, the reads ``concurrently`` hands to helper threads
    run on the calling thread instead, so that they show in the profile."""
    from pools.selectors import concurrent

    class Inline(contextlib.nullcontext):
        def __init__(self, **_options) -> None:
            super().__init__(self)

        def submit(self, function, *args) -> Future:
            future: Future = Future()
            try:
                future.set_result(function(*args))
            except BaseException as error:  # the caller gets it from result(), as from a thread
                future.set_exception(error)
            return future

    threads, concurrent.ThreadPoolExecutor = concurrent.ThreadPoolExecutor, Inline
    try:
        yield
    finally:
        concurrent.ThreadPoolExecutor = threads


def profile_pool_list(run: Run) -> str:
    """pyinstrument's view of the cold pool list, served in this process (the sandbox is elsewhere)."""
    from pyinstrument import Profiler

    django = InProcess(run)
    path = f"/pools/?connection={run.estate.many_pools.pk}"
    run.sandbox.latency(0)
    profiler = Profiler(interval=0.0005)
    with reads_on_the_calling_thread():
        run.forget_reads()
        django.get(path)
        for _ in range(10):
            run.forget_reads()
            profiler.start()
            django.get(path)
            profiler.stop()
    return profiler.output_text(unicode=False, color=False)


# --- the run -------------------------------------------------------------------------------------------------


def machine() -> str:
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, {int(memory) / 1024 / 1024:.1f} GiB, Python {sys.version.split()[0]}, "
        f"load {load}"
    )


def print_table(rows: list[Row], notes: list[str]) -> None:
    headers = ("measure", "result", "target", "")
    widths = [
        max(len(headers[0]), *(len(r.measure) for r in rows)),
        max(len(headers[1]), *(len(r.result) for r in rows)),
    ]
    widths.append(max(len(headers[2]), *(len(r.target) for r in rows)))
    out = sys.stdout
    out.write(f"{headers[0]:<{widths[0]}}  {headers[1]:<{widths[1]}}  {headers[2]:<{widths[2]}}\n")
    out.write(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}  ------\n")
    for row in rows:
        out.write(
            f"{row.measure:<{widths[0]}}  {row.result:<{widths[1]}}  {row.target:<{widths[2]}}  {row.verdict}\n"
        )
    for note in notes:
        out.write(f"{note}\n")


def run_all(options: argparse.Namespace) -> int:
    rows: list[Row] = []
    notes = [f"machine: {machine()} at the start"]
    samples = 7 if options.quick else 15
    with contextlib.ExitStack() as cleanup:
        if not options.only or "signer" in options.only.split(","):
            measure_signer(rows, options.quick)
        sandbox = SandboxProcess.start()
        cleanup.callback(sandbox.stop)
        scratch = Scratch.create(options.cache_url, options.database_url)
        cleanup.callback(scratch.remove)
        prepare_django(scratch)
        cleanup.callback(forget_reads, options.cache_url)
        estate = create_estate(sandbox, VIEWERS)
        server = Gunicorn.start(scratch, WORKERS, THREADS_PER_WORKER)
        cleanup.callback(server.stop)
        cleanup.callback(forget_login_counters, options.cache_url, estate.viewers[0].username)
        browser = Browser(
            server.url, login_through_form(server.url, estate.viewers[0].username, estate.password)
        )
        run = Run(sandbox, server, estate, browser, options.cache_url, samples, rows, notes)
        measures = {
            "pool_list": lambda: measure_pool_list(run),
            "overview": lambda: measure_overview(run),
            "viewers": lambda: measure_viewers(
                run, 10.0 if options.quick else VIEWER_SECONDS, options.poll_seconds
            ),
            "nodes": lambda: measure_nodes(run),
            "monitoring": lambda: measure_monitoring(run),
            "throughput": lambda: measure_throughput(run, 5.0 if options.quick else 10.0, options.clients),
        }
        chosen = (
            [name for name in options.only.split(",") if name != "signer"] if options.only else list(measures)
        )
        unknown = set(chosen) - set(measures)
        if unknown:
            raise BenchError(f"--only takes {', '.join(measures)}; not {', '.join(sorted(unknown))}")
        try:
            for name in chosen:
                measures[name]()
            profile = profile_pool_list(run) if options.profile else ""
        except BenchError:
            sys.stderr.write(f"gunicorn log:\n{server.log_tail()}\n")
            raise
        notes.append(f"machine: load {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the end")
    print_table(rows, notes)
    if profile:
        sys.stdout.write(profile)
    return 0 if all(row.met is not False for row in rows) else 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL URL; a scratch database is made next to it"
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples and shorter loops")
    parser.add_argument("--profile", action="store_true", help="also print a profile of the cold pool list")
    parser.add_argument("--poll-seconds", type=float, default=1.0, help="how often each viewer polls")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the throughput loop")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated measures to run: signer, pool_list, overview, viewers, nodes, monitoring, "
        "throughput (default: all)",
    )
    parser.add_argument("--serve-sandbox", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_sandbox:
        return serve_sandbox()
    try:
        return run_all(options)
    except BenchError as failure:
        sys.stderr.write(f"benchmark failed: {failure}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
