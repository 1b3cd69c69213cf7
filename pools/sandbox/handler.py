"""The HTTP side: read a request off the socket, hand it to ``api`` or ``control``, write the answer.

Every answer carries ``X-Request-Id`` (32 hex digits) and a ``Content-Length``, so connections stay alive
as the SDK's session expects. The call is recorded before the answer is written, so a test that has its
answer can count it at once.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from pools.sandbox import api, control
from pools.sandbox.auth import ReceivedRequest
from pools.sandbox.calls import RecordedCall
from pools.sandbox.errors import ApiError

if TYPE_CHECKING:
    from pools.sandbox.server import Sandbox

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 12 * 1024 * 1024  # the gateway's documented limit


class BodyProblem(Exception):
    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        super().__init__(address, SandboxHandler)
        self.sandbox = sandbox


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, a small body waits for the client's
    # delayed ACK (about 40 ms) before it is sent.
    disable_nagle_algorithm = True
    server_version = "ModelArtsSandbox/1.0"
    sys_version = ""
    server: SandboxServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (bad request line, URI too long, ...) in the gateway's JSON shape."""
        request_id = uuid.uuid4().hex
        text = message or HTTPStatus(code).phrase
        body = json.dumps({"error_code": "APIG.0201", "error_msg": text, "request_id": request_id}).encode()
        self.close_connection = True
        self._send(code, body, request_id, {"Connection": "close"})

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's signature)
        logger.debug("sandbox %s: %s", self.address_string(), format % args)

    def _read_chunked(self) -> bytes:
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BodyProblem(ApiError(400, "APIG.0201", "API request error.", gateway=True)) from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise BodyProblem(ApiError(413, "APIG.0201", "Request entity too large", gateway=True))
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size < 0:
            raise BodyProblem(ApiError(400, "APIG.0201", "API request error.", gateway=True))
        if size > MAX_BODY_BYTES:
            raise BodyProblem(ApiError(413, "APIG.0201", "Request entity too large", gateway=True))
        return self.rfile.read(size)

    def _send(self, status: int, body: bytes, request_id: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", request_id)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            logger.debug("sandbox: the connection was already closed")

    def _handle(self) -> None:
        arrived = time.monotonic()
        request_id = uuid.uuid4().hex
        sandbox = self.server.sandbox
        raw_path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except BodyProblem as problem:
            self.close_connection = True
            self._send(
                problem.error.status, json.dumps(problem.error.body(request_id)).encode(), request_id, {}
            )
            return
        if raw_path == control.PREFIX or raw_path.startswith(control.PREFIX + "/"):
            status, payload = control.handle(sandbox, self.command, raw_path, body)
            self._send(status, json.dumps(payload).encode(), request_id, {})
            return
        request = ReceivedRequest(self.command, raw_path, query, dict(self.headers.items()), body)
        result = api.answer(sandbox, request, request_id, arrived=arrived)
        sandbox.record_call(
            RecordedCall(result.operation, self.command, raw_path, query, result.status, request_id)
        )
        if result.drop:
            self._drop()
            return
        payload = result.raw if result.raw is not None else json.dumps(result.payload).encode()
        if result.not_before is not None:
            # Latency that includes the work: encoding the answer happened within it, too.
            time.sleep(max(0.0, result.not_before - time.monotonic()))
        self._send(result.status, payload, request_id, result.headers)
