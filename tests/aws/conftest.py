"""Fixtures that run checks against a real moto server on 127.0.0.1.

``moto_server`` starts one server per test session; ``aws`` resets it before each test and
points boto3 at it through AWS_ENDPOINT_URL with fake credentials. The session-wide network
guard of tests/conftest.py keeps every call on 127.0.0.1; ``no_dns`` there returns the names a
test tried to look up. ``api_calls`` (autouse, session-wide) records every API operation made
through a ClientFactory client, so the last test module can prove the IAM policy allows all
of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from generator.aws.clients import ClientFactory, ClientSettings, observe_clients
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


def reset_moto(endpoint: str) -> None:
    """Forget every resource the moto server at ``endpoint`` holds."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def point_boto3_at(monkeypatch: pytest.MonkeyPatch, endpoint: str, folder: Path) -> None:
    """Send boto3 to ``endpoint`` with fake credentials and none of the user's AWS config."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)


@pytest.fixture(name="aws")
def fixture_aws(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Reset moto and point boto3 at it with fake credentials; return the endpoint URL."""
    reset_moto(moto_server)
    point_boto3_at(monkeypatch, moto_server, tmp_path)
    return moto_server


@pytest.fixture(name="moto_tools", scope="session")
def fixture_moto_tools() -> Any:
    """``reset_moto`` and ``point_boto3_at``, for fixtures that seed moto once per module."""
    return SimpleNamespace(reset=reset_moto, point_boto3_at=point_boto3_at)


@dataclass
class ApiCalls:
    """Every API operation made through a ClientFactory client, and which test file made it."""

    calls: set[tuple[str, str, str]] = field(default_factory=set)
    """(boto3 service name, operation, test file name)."""

    test_file: str = ""


@pytest.fixture(name="api_calls", scope="session", autouse=True)
def fixture_api_calls() -> Iterator[ApiCalls]:
    """Record every call a ClientFactory client makes during the session.

    Every call, paged, retried or answered by botocore's Stubber, first passes the
    provide-client-params event. Not before-call: the Stubber answers there from a more
    specific handler, which runs first and ends the chain. The ``seed`` fixture's plain
    clients are not the factory's, so seeding is not recorded.
    """
    recorded = ApiCalls()

    def observe(client: Any) -> None:
        service = client.meta.service_model.service_name

        def record(model: Any, **_: Any) -> None:
            recorded.calls.add((service, model.name, recorded.test_file))

        client.meta.events.register("provide-client-params", record)

    remove = observe_clients(observe)
    yield recorded
    remove()


@pytest.fixture(name="api_calls_test_file", autouse=True)
def fixture_api_calls_test_file(api_calls: ApiCalls, request: pytest.FixtureRequest) -> None:
    """Tell the recorder which test file the calls from now on come from."""
    api_calls.test_file = request.path.name


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
