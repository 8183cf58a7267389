"""Fixtures that run checks against a real moto server on 127.0.0.1.

``moto_server`` starts one server per test session; ``aws`` resets it before each test and
points boto3 at it through AWS_ENDPOINT_URL with fake credentials. ``no_dns`` (autouse) makes
any name lookup fail, so a test cannot reach past 127.0.0.1 by accident.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from generator.aws.clients import ClientFactory, ClientSettings
from generator.aws.view import LiveView, ResponseStore
from generator.checks.base import GLOBAL

ACCOUNT = "123456789012"
"""The account moto answers for."""

REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server at {url} did not answer within {timeout} seconds")


@pytest.fixture(name="moto_server", scope="session")
def fixture_moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``python -m moto.server`` on a free port; yield its base URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= {"MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(name="aws")
def fixture_aws(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Reset moto and point boto3 at it with fake credentials; return the endpoint URL."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass

    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


@pytest.fixture(name="no_dns", autouse=True)
def fixture_no_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail every lookup of a host that is not an IP literal; return the names asked for."""
    asked: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            asked.append(name)
            raise socket.gaierror(socket.EAI_NONAME, f"test forbids looking up {name}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.fixture(name="seed")
def fixture_seed(aws: str) -> Callable[..., Any]:
    """Return a maker of plain boto3 clients on moto, for putting resources in place.

    Not for s3control: its account host prefix needs the project's ClientFactory.
    """

    def make(service: str, region: str = REGION) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=aws)  # type: ignore[call-overload]

    return make


@pytest.fixture(name="account")
def fixture_account() -> str:
    """The id of the account moto answers for."""
    return ACCOUNT


@pytest.fixture(name="factory")
def fixture_factory(aws: str) -> ClientFactory:
    """A client factory on moto, configured only through the environment, as in production."""
    return ClientFactory(ClientSettings(max_attempts=2, connect_timeout=2, read_timeout=10))


@pytest.fixture(name="view")
def fixture_view(factory: ClientFactory) -> Callable[..., LiveView]:
    """Return a maker of live views on moto: ``view(region)``, GLOBAL by default."""
    store = ResponseStore(factory)

    def make(region: str = GLOBAL, regions: list[str] | None = None) -> LiveView:
        return LiveView(store, ACCOUNT, region, regions or [REGION])

    return make
