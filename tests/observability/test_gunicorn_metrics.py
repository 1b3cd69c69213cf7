"""Several gunicorn workers, one /metrics: with PROMETHEUS_MULTIPROC_DIR and modelarts_admin/gunicorn_conf.py
the counters of every worker, the exited ones included, are summed whichever worker answers the scrape."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.fixtures.metrics import parse_exposition

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 12
RECYCLE_AFTER = 4  # --max-requests: each worker exits after this many, so several processes served
LIVENESS_REQUESTS = 'django_http_requests_total_by_view_transport_method_total{method="GET",transport="http",view="health_live"}'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else "gunicorn exited"
        try:
            requests.get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its worker still booting
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def test_workers_counters_are_summed_also_after_they_exit(tmp_path):
    metrics_directory = tmp_path / "metrics"
    metrics_directory.mkdir()
    (metrics_directory / "counter_1.db").write_bytes(b"left over from an earlier run")
    port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_directory),
        "VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "true",
        "METRICS_ALLOWED_IPS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "modelarts_admin/gunicorn_conf.py"]
    options = ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--max-requests", str(RECYCLE_AFTER)]
    process = subprocess.Popen(
        [*gunicorn, *options, "modelarts_admin.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/metrics", process)
        for _ in range(REQUESTS):
            answer = requests.get(f"{base}/health/live/", timeout=10, headers={"Connection": "close"})
            assert answer.status_code == 200
        time.sleep(0.5)  # the last recycled worker's replacement boots
        scrape = requests.get(f"{base}/metrics", timeout=30)
        assert scrape.status_code == 200
        samples = parse_exposition(scrape.text)
    finally:
        process.terminate()
        process.wait(timeout=30)

    worker_files = {path.name.rsplit("_", 1)[-1] for path in metrics_directory.glob("counter_*.db")}
    assert "1.db" not in worker_files, "gunicorn_conf emptied the folder at start"
    assert len(worker_files) >= 3, f"workers were recycled: {worker_files}"
    assert samples[LIVENESS_REQUESTS] == REQUESTS
