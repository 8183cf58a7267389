"""A threaded HTTP proxy on 127.0.0.1 that holds every request for a fixed time, then forwards.

It stands in for the round trip to AWS: each request waits ``delay`` seconds before it is
sent on to the upstream server, with keep-alive on both sides so that connection set-up adds
nothing a real HTTPS pool would not amortise.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
    }
)
UPSTREAM_TIMEOUT = 120.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    upstream: tuple[str, int]
    delay: float
    forwarded: int = 0
    counter_lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the moto server keeps the request log."""

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_PUT(self) -> None:
        self._forward()

    def do_DELETE(self) -> None:
        self._forward()

    def do_HEAD(self) -> None:
        self._forward()

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        time.sleep(self.server.delay)

        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        status, reason, reply_headers, reply = self._send_upstream(body, headers)
        with self.server.counter_lock:
            self.server.forwarded += 1

        self.send_response(status, reason)
        for name, value in reply_headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)

    def _send_upstream(
        self, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        # One upstream connection per client connection, reused across its requests.
        connection: http.client.HTTPConnection | None = getattr(self, "_upstream", None)
        if connection is None:
            host, port = self.server.upstream
            connection = http.client.HTTPConnection(host, port, timeout=UPSTREAM_TIMEOUT)
            self._upstream = connection
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            connection.close()
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
        return response.status, response.reason, response.getheaders(), response.read()


@contextmanager
def latency_proxy(upstream: str, port: int, delay: float) -> Iterator[_Server]:
    """Run a proxy on 127.0.0.1:``port`` to ``upstream`` (an http URL) for the block."""
    target = urlsplit(upstream)
    server = _Server(("127.0.0.1", port), _Handler)
    server.upstream = (target.hostname or "127.0.0.1", target.port or 80)
    server.delay = delay
    server.counter_lock = threading.Lock()
    thread = threading.Thread(target=server.serve_forever, name="latency-proxy", daemon=True)
    thread.start()
    logger.info("latency proxy on 127.0.0.1:%d -> %s, %.0f ms", port, upstream, delay * 1000)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
