"""A small local webhook receiver: it verifies each delivery's signature (``signing.verify``), keeps it, and
appends one JSON line per delivery to a log file. The demo routes its connection's events to one and prints
what arrives; the tests start one to check payloads and signatures over real HTTP.

Answers 204 for a verified delivery, 401 for one whose signature or timestamp does not hold (logged too,
with the reason), and 503 while ``refuse_next`` is above zero (a destination that is down for a while).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pools.webhooks.signing import SignatureError, verify

MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any] | None  # None when it was refused
    problem: str  # why it was refused; "" when verified


class WebhookReceiver:
    def __init__(
        self,
        secret: str,
        *,
        log_file: Path | None = None,
        on_delivery: Callable[[Delivery], None] | None = None,
    ) -> None:
        self.secret = secret
        self.log_file = log_file
        self.on_delivery = on_delivery
        self.deliveries: list[Delivery] = []
        self.refuse_next = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the receiver is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self, *, host: str = "127.0.0.1", port: int = 0) -> str:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                status = receiver.receive(self.path, dict(self.headers.items()), self.rfile.read(length))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return  # the log file says what arrived

        self._server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return 503
        try:
            payload, problem = verify(body, headers, self.secret), ""
        except (SignatureError, ValueError) as error:
            payload, problem = None, str(error)
        delivery = Delivery(path, headers, body, payload, problem)
        with self._lock:
            self.deliveries.append(delivery)
            self._log(delivery)
        if self.on_delivery is not None:
            self.on_delivery(delivery)
        return 401 if problem else 204

    def _log(self, delivery: Delivery) -> None:
        if self.log_file is None:
            return
        payload = delivery.payload or {}
        line = {
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "signature": "refused: " + delivery.problem if delivery.problem else "verified",
            "event": payload.get("event", ""),
            "id": payload.get("id", ""),
            "subject": payload.get("subject", ""),
            "connection": (payload.get("connection") or {}).get("name", ""),
        }
        with open(self.log_file, "a", encoding="utf-8") as log:
            log.write(json.dumps(line, ensure_ascii=False) + "\n")
