"""The demo account: a fictional company's AWS account on an in-process moto server.

``trustcenter collect --demo`` runs the real checks against it. Each module of this package
with a ``seed(client, regions)`` function puts its part of the account in place (identity,
monitoring, infrastructure...); ``client(service, region)`` returns a boto3 client on the demo
server. Seeding clients do not come from the project's ClientFactory, so they never count as
calls the checks make.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from generator.aws.clients import ClientSettings, strip_host_prefix

logger = logging.getLogger(__name__)

REGIONS = ["us-east-1", "eu-west-1"]
"""The regions the demo account is seeded in, and those a demo run covers by default."""

INSTALL_HINT = "install the demo extra: pip install 'trustcenter[demo]'"

MOTO_SETTINGS = {
    # The checks judge attached AWS managed policies, so moto must know them; its default
    # AMIs only slow every EC2 region's start-up down.
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}

MOTO_MODULES = {"lambda": "awslambda"}
"""boto3 service names whose moto module is not the name without hyphens."""

Seeder = Callable[[Callable[[str, str], Any], list[str]], None]


class DemoUnavailable(Exception):
    """The demo cannot run: moto is not installed."""


@dataclass(frozen=True)
class Demo:
    """A running demo account."""

    regions: list[str]
    """The regions it was seeded in."""

    settings: ClientSettings
    """Client settings for it: services moto does not emulate count as unavailable."""


@contextmanager
def demo_account(regions: list[str] | None = None) -> Iterator[Demo]:
    """Start a seeded demo account and point this process's boto3 at it.

    Inside the block, AWS_ENDPOINT_URL and fake credentials replace the caller's for this
    process; on leaving, the server stops and the environment is restored.
    """
    seeded = list(regions or REGIONS)
    with _environment(MOTO_SETTINGS):
        server = _start_server()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            with _environment(_client_environment(endpoint)):
                _reset(endpoint)
                seed_account(client_maker(endpoint), seeded)
                logger.info("demo account ready at %s regions=%s", endpoint, ",".join(seeded))
                yield Demo(seeded, ClientSettings(unavailable=_not_emulated()))
        finally:
            server.stop()


def seed_account(client: Callable[[str, str], Any], regions: list[str]) -> None:
    """Call ``seed(client, regions)`` of every module of this package that has one."""
    for name, seed in seeders().items():
        logger.info("seeding demo account: %s", name)
        seed(client, regions)


def seeders() -> dict[str, Seeder]:
    """Return each module's seed function by module name, in name order."""
    found: dict[str, Seeder] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        seed = getattr(module, "seed", None)
        if callable(seed):
            found[info.name] = seed
    return found


def _start_server() -> Any:
    # Imported here: moto is an optional extra, and reads its settings when first used.
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        raise DemoUnavailable(f"The demo needs moto; {INSTALL_HINT}.") from error

    # werkzeug logs every request at INFO unless its logger already has a level.
    werkzeug = logging.getLogger("werkzeug")
    if werkzeug.level == logging.NOTSET:
        werkzeug.setLevel(logging.WARNING)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


def _not_emulated() -> dict[str, str]:
    """Return each boto3 service moto has no backend for, with the reason checks will give."""
    from moto.backends import list_of_moto_modules

    emulated = set(list_of_moto_modules())
    return {
        service: f"the demo's moto server does not emulate {service}"
        for service in boto3.Session().get_available_services()
        if MOTO_MODULES.get(service, service.replace("-", "")) not in emulated
    }


def _reset(endpoint: str) -> None:
    # moto's state lives as long as the process: a second demo in it must start afresh.
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def _client_environment(endpoint: str) -> dict[str, str | None]:
    """The variables that point boto3 at the demo server and nothing of the caller's."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        "AWS_ROLE_ARN": None,
        "AWS_WEB_IDENTITY_TOKEN_FILE": None,
        "AWS_DEFAULT_REGION": REGIONS[0],
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def client_maker(
    endpoint: str, session: boto3.Session | None = None, attempts: int = 2
) -> Callable[[str, str], Any]:
    """Return ``client(service, region)``: a cached plain boto3 client on a moto server.

    For seeding only: these clients bypass the project's factory, so nothing they do is
    recorded as evidence.
    """
    session = session or boto3.Session()
    clients: dict[tuple[str, str], Any] = {}
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})

    def client(service: str, region: str) -> Any:
        if (service, region) not in clients:
            made = session.client(
                service,  # type: ignore[call-overload]
                region_name=region,
                endpoint_url=endpoint,
                config=config,
            )
            made.meta.events.register("before-sign.s3-control.*", strip_host_prefix(endpoint))
            clients[(service, region)] = made
        return clients[(service, region)]

    return client


@contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) environment variables for the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _set(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set(name, value)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
