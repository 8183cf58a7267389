"""The local servers the collection benchmarks talk to: moto with a request log, and a proxy.

Both listen on 127.0.0.1 only, start in subprocesses or threads owned by a context manager,
and stop when it exits, whatever happened inside.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Moto:
    """A running moto server and the file its requests are logged to."""

    endpoint: str
    log: Path

    def mark(self) -> int:
        """Return how many requests the log holds now, to read later ones with :meth:`since`."""
        return len(self._lines())

    def since(self, mark: int) -> list[dict[str, Any]]:
        """Return the requests logged after ``mark``."""
        return [json.loads(line) for line in self._lines()[mark:]]

    def _lines(self) -> list[str]:
        if not self.log.exists():
            return []
        return [line for line in self.log.read_text(encoding="utf-8").splitlines() if line]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def moto_server(log: Path) -> Iterator[Moto]:
    """Run the request-logging moto server (:mod:`benchmarks.motolog`) for the block."""
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.motolog", "--port", str(port), "--log", str(log)]
    errors = log.with_suffix(".stderr")
    with errors.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        endpoint = f"http://{HOST}:{port}"
        _wait_for(endpoint, process)
        logger.info("moto listening at %s", endpoint)
        yield Moto(endpoint, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def reset(endpoint: str) -> None:
    """Forget every resource the moto server holds."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


def _wait_for(endpoint: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the moto server exited with {process.returncode} at start")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the moto server did not answer at {endpoint} in {START_TIMEOUT:.0f} s")
