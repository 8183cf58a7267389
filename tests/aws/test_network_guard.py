"""The session-wide network guard of tests/conftest.py keeps every test on this machine."""

from __future__ import annotations

import errno
import os
import re
import socket

import boto3
import pytest

BEYOND_LOOPBACK = [
    ("169.254.169.254", socket.AF_INET),
    ("192.0.2.1", socket.AF_INET),
    ("2001:db8::1", socket.AF_INET6),
    ("::ffff:192.0.2.1", socket.AF_INET6),
]
"""The instance metadata service and documentation addresses: never to be reached."""

CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@pytest.fixture(name="module_connect", scope="module")
def fixture_module_connect():
    """What a module-scoped fixture meets when it connects past loopback, as seeding would."""
    with socket.socket() as sock:
        try:
            sock.connect(("169.254.169.254", 80))
        except OSError as error:
            return str(error)
    return "connected"


@pytest.mark.parametrize(("host", "family"), BEYOND_LOOPBACK)
def test_a_connection_beyond_loopback_is_refused_before_any_packet(host, family, network_guard):
    with socket.socket(family) as sock:
        with pytest.raises(
            ConnectionRefusedError, match=re.escape(f"forbids connecting to {host}")
        ):
            sock.connect((host, 80))
        assert sock.connect_ex((host, 80)) == errno.ECONNREFUSED

    assert host in network_guard.refused


def test_a_datagram_beyond_loopback_is_refused():
    refused = pytest.raises(ConnectionRefusedError, match=r"forbids connecting to 192\.0\.2\.53")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, refused:
        sock.sendto(b"query", ("192.0.2.53", 53))


def test_a_host_name_in_a_connect_is_refused_as_a_lookup_would_be():
    refused = pytest.raises(ConnectionRefusedError, match=r"forbids connecting to example\.com")
    with socket.socket() as sock, refused:
        sock.connect(("example.com", 80))


def test_name_lookups_are_refused(no_dns):
    with pytest.raises(socket.gaierror, match=r"test forbids looking up example\.com"):
        socket.getaddrinfo("example.com", 443)

    assert no_dns == ["example.com"]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2"])
def test_loopback_stays_reachable(host):
    with socket.socket() as server:
        server.bind((host, 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_the_guard_is_up_before_module_scoped_fixtures(module_connect):
    refused = f"[Errno {errno.ECONNREFUSED}] test forbids connecting to 169.254.169.254"
    assert module_connect == refused


def test_boto3_never_asks_the_instance_metadata_service_in_any_test(network_guard, tmp_path):
    """No fixture of this test sets credentials: the session itself turns the probe off."""
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    refused = len(network_guard.refused)

    with pytest.MonkeyPatch.context() as patch:
        # Nothing else in the chain answers, so boto3 would go on to the metadata service.
        for name in CREDENTIAL_VARIABLES:
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
        assert boto3.Session().get_credentials() is None

    assert network_guard.refused[refused:] == []
