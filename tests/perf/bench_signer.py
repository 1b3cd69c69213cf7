"""Signatures per second: our signer against the official one (huaweicloudsdkcore), on the same requests.

Not a test (pytest does not collect it). Run from the repository root:

    /work/main/.venv/bin/python tests/perf/bench_signer.py [--rounds 5] [--requests 2000]

Two workloads, both shaped like the client's nine operations (same headers, queries and bodies):
* ``repeated``: the same requests over and over, as a dashboard polling the same pools signs them;
* ``distinct``: every request has a pool name and page token never seen before, so no memoised step helps.
The official signer mutates its request, so a fresh ``SdkRequest`` is built for each signature; that is its
input, as a URL string is ours. Both signers must agree on every signature, or the script says so and fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.sdk_request import SdkRequest  # noqa: E402
from huaweicloudsdkcore.signer.signer import Signer  # noqa: E402

from pools.modelarts import signer  # noqa: E402

AK = "AKBENCHMARK000000001"
SK = "SKBENCHMARK0000000000000000000000000001"
HOST = "modelarts.cn-north-4.myhuaweicloud.com"
PROJECT = "f3b2c1d0e9a84b7c96d5e4f3a2b1c0d9"
HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": "modelarts-admin/0.1.0 python-requests/2.32",
    "X-Project-Id": PROJECT,
    "X-Sdk-Date": "20250101T080000Z",
}
NOW = datetime(2025, 1, 1, 8, 0, 0, tzinfo=UTC)


def operations(pool: str, token: str) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
    """(method, resource path, query pairs, body) for each of the nine operations."""
    base = f"/v2/{PROJECT}"
    pool_path = f"{base}/pools/{quote(pool, safe='')}"
    create = {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": {"labels": {"os.modelarts/name": pool[:20], "os.modelarts/workspace.id": "0"}},
        "spec": {
            "type": "Dedicate",
            "scope": ["Train"],
            "resources": [{"flavor": "modelarts.vm.gpu.t4u8", "count": 2}],
        },
    }
    return [
        (
            "GET",
            f"{base}/pools",
            [("workspaceId", "0"), ("status", "created"), ("labelSelector", f"team={pool}")],
            b"",
        ),
        ("GET", pool_path, [], b""),
        ("POST", f"{base}/pools", [], json.dumps(create).encode()),
        ("DELETE", pool_path, [], b""),
        ("GET", f"{pool_path}/nodes", [("limit", "500"), ("continue", token)], b""),
        (
            "POST",
            f"{pool_path}/nodes/batch-delete",
            [],
            json.dumps({"deleteNodeNames": [f"{token}-a"]}).encode(),
        ),
        ("GET", f"{base}/metrics/runtime/pools", [], b""),
        ("GET", f"{base}/statistics/pools", [("workspaceId", "0")], b""),
        (
            "GET",
            f"{pool_path}/monitor",
            [("time_range", "-1.-1.60"), ("statistics", "maximum"), ("period", "60")],
            b"",
        ),
    ]


def workload(kind: str, count: int) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
    requests = []
    for n in range(count):
        unique = f"{n:06d}" if kind == "distinct" else "000000"
        requests.extend(operations(f"pool-demo-{unique}-f3b2c1d0e9a84b7c", f"dG9rZW4t{unique}+/="))
    return requests[:count]


def url_of(path: str, pairs: list[tuple[str, str]]) -> str:
    query = signer.canonical_query(pairs)  # what our client sends
    return f"https://{HOST}{path}" + (f"?{query}" if query else "")


def ours(requests, urls) -> list[str]:
    return [
        signer.sign(method, url, HEADERS, body, AK, SK, now=NOW)["Authorization"]
        for (method, _, _, body), url in zip(requests, urls, strict=True)
    ]


def official(requests, official_signer) -> list[str]:
    return [
        official_signer.sign(
            SdkRequest(
                method=method,
                schema="https",
                host=HOST,
                resource_path=path,
                query_params=list(pairs),
                header_params=dict(HEADERS),
                body=body or None,
            )
        ).header_params["Authorization"]
        for method, path, pairs, body in requests
    ]


def best_rates(run_ours, run_official, count: int, rounds: int) -> tuple[float, float]:
    """Signatures per second of each, best round of ``rounds``; rounds alternate so load hits both alike."""
    best_ours = best_official = float("inf")
    for _ in range(rounds):
        for run, is_ours in ((run_ours, True), (run_official, False)):
            started = time.process_time()  # CPU time: other processes on a shared machine do not count
            run()
            elapsed = time.process_time() - started
            if is_ours:
                best_ours = min(best_ours, elapsed)
            else:
                best_official = min(best_official, elapsed)
    return count / best_ours, count / best_official


def clear_caches() -> None:
    for memoised in (signer.encode, signer.canonical_uri, signer.canonical_query_of, signer._url_parts):
        memoised.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    options = parser.parse_args()
    official_signer = Signer(BasicCredentials(AK, SK))
    out = sys.stdout
    out.write(f"{'workload':<10} {'ours/s':>10} {'official/s':>11} {'speed-up':>9}\n")
    worst = float("inf")
    for kind in ("repeated", "distinct"):
        requests = workload(kind, options.requests)
        urls = [url_of(path, pairs) for _, path, pairs, _ in requests]
        clear_caches()
        if ours(requests, urls) != official(requests, official_signer):
            out.write(f"{kind}: the signers disagree; fix signer.py before measuring\n")
            return 1

        def run_ours(requests=requests, urls=urls, kind=kind):
            if kind == "distinct":
                clear_caches()  # every round starts cold: no request was seen before
            ours(requests, urls)

        def run_official(requests=requests):
            official(requests, official_signer)

        rate_ours, rate_official = best_rates(run_ours, run_official, len(requests), options.rounds)
        worst = min(worst, rate_ours / rate_official)
        out.write(
            f"{kind:<10} {rate_ours:>10,.0f} {rate_official:>11,.0f} {rate_ours / rate_official:>8.2f}x\n"
        )
    out.write(f"target: ours at least 2x the official signer; worst case {worst:.2f}x\n")
    return 0 if worst >= 2 else 2


if __name__ == "__main__":
    sys.exit(main())
