"""Loaded by every Python process a benchmark starts: no name lookups, no traffic off this host.

The benchmarks put this folder first on PYTHONPATH. A host name that is not an IP literal
fails to resolve, and a connection to any address outside 127.0.0.0/8 and ::1 is refused,
each noted in the file that BENCH_GUARD_LOG names so the benchmark can report attempts.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

_resolve = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _note(what: str) -> None:
    path = os.environ.get("BENCH_GUARD_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:  # noqa: PTH123
            log.write(f"{os.getpid()} {what}\n")


def _is_loopback(host: Any) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _literal(host: Any) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _literal(host):
        _note(f"resolve {host}")
        raise socket.gaierror(socket.EAI_NONAME, f"name lookups are off in benchmarks: {host}")
    return _resolve(host, *args, **kwargs)


def _allowed(sock: socket.socket, address: Any) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    return _is_loopback(address[0])


def connect(self: socket.socket, address: Any) -> None:
    if not _allowed(self, address):
        _note(f"connect {address!r}")
        raise ConnectionRefusedError(f"benchmarks only reach 127.0.0.1: {address!r}")
    _connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(self, address):
        _note(f"connect {address!r}")
        return 111
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
