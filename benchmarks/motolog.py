"""A moto server on 127.0.0.1 that writes one JSON line per request it answers.

Run as ``python -m benchmarks.motolog --port N --log FILE``. Each line holds the arrival
time, the service, region and access key from the SigV4 credential scope, the operation
(``X-Amz-Target`` or the ``Action`` parameter; method and path for REST APIs), a hash of the
request's parameters (query and body in canonical form) and the response status. The
benchmarks count calls, time the first one and find duplicates from these lines.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

logger = logging.getLogger(__name__)

MOTO_SETTINGS = {
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}

SCOPE = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")
IGNORED_PARAMS = frozenset({"Version"})

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestLog:
    """Wrap a WSGI app and append one line per request to a file."""

    def __init__(self, app: App, path: Path) -> None:
        self.app = app
        self.file = path.open("a", encoding="utf-8", buffering=1)
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        arrived = time.time()
        body = _read_body(environ)
        status: list[str] = []

        def recording_start(code: str, headers: Any, *rest: Any) -> Any:
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, *rest)

        # moto's Flask app builds the whole body before returning, so this times the work.
        # A request moto raises on still counts: werkzeug answers it with a 500.
        try:
            return self.app(environ, recording_start)
        finally:
            if not environ.get("PATH_INFO", "").startswith("/moto-api"):
                line = describe(environ, body, arrived, status[0] if status else "500")
                line["ms"] = round((time.time() - arrived) * 1000, 1)
                with self.lock:
                    self.file.write(json.dumps(line, sort_keys=True) + "\n")


def describe(environ: dict[str, Any], body: bytes, arrived: float, status: str) -> dict[str, Any]:
    """Return the log line of one request."""
    scope = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    key, region, service = scope.groups() if scope else ("", "", "")
    query = environ.get("QUERY_STRING", "")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    form = _form(body, environ.get("CONTENT_TYPE", ""))
    params = dict(parse_qsl(query, keep_blank_values=True)) | form

    if target:
        operation = target.rsplit(".", 1)[-1]
    elif "Action" in params:
        operation = params["Action"]
    else:
        operation = f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"

    canonical = {
        "method": environ.get("REQUEST_METHOD", ""),
        "path": environ.get("PATH_INFO", ""),
        "target": target,
        "params": sorted((k, v) for k, v in params.items() if k not in IGNORED_PARAMS),
        "body": "" if form else _canonical_body(body),
    }
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "t": arrived,
        "key": key,
        "region": region,
        "service": service,
        "operation": operation,
        "params": digest,
        "status": status,
        "agent": environ.get("HTTP_USER_AGENT", "")[:60],
    }


def _read_body(environ: dict[str, Any]) -> bytes:
    # Read the body once and hand moto a fresh stream holding the same bytes.
    from werkzeug.wsgi import get_input_stream

    body: bytes = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return body


def _form(body: bytes, content_type: str) -> dict[str, str]:
    if "x-www-form-urlencoded" not in content_type:
        return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _canonical_body(body: bytes) -> str:
    try:
        return json.dumps(json.loads(body), sort_keys=True)
    except ValueError:
        return hashlib.sha256(body).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    args = parser.parse_args()

    for name, value in MOTO_SETTINGS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("MOTO_PORT", str(args.port))

    # moto reads its settings when first imported, so it comes after the environment.
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = RequestLog(DomainDispatcherApplication(create_backend_app), args.log)
    run_simple("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
