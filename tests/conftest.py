"""Fixtures shared by every test: the network guard, and a small project on disk.

``network_guard`` (autouse, session-wide) keeps every test on this machine: it refuses any
name lookup of a host that is not an IP literal, and any connection or datagram to an address
outside 127.0.0.0/8 and ::1, and it turns off boto3's probe of the instance metadata service.
It is up before any module- or session-scoped fixture of a test runs, so seeding is guarded too.
"""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.aws.engine import Result, ResultStatus
from generator.aws.view import Export
from generator.checks.base import Check, Finding, FindingStatus
from generator.runs import RunInfo, run_id, write_run

REPO = Path(__file__).resolve().parent.parent

INTERNET_FAMILIES = frozenset({socket.AF_INET, socket.AF_INET6})
"""Address families that can leave the machine; Unix sockets and socket pairs cannot."""


def is_loopback(host: str) -> bool:
    """Return whether ``host`` is an IP literal in 127.0.0.0/8 or ::1 (not a name to look up)."""
    try:
        # An IPv6 literal may carry a zone ("fe80::1%eth0"); the zone is no part of the address.
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


@dataclass
class NetworkGuard:
    """What the session-wide guard refused; lookups since the last ``no_dns``, connections ever."""

    asked: list[str] = field(default_factory=list)
    """Host names something tried to look up."""

    refused: list[str] = field(default_factory=list)
    """Addresses something tried to connect or send to, beyond loopback."""

    def getaddrinfo(self, real: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap ``socket.getaddrinfo`` so that only IP literals resolve."""

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            try:
                ipaddress.ip_address(name)
            except ValueError:
                self.asked.append(name)
                raise socket.gaierror(
                    socket.EAI_NONAME, f"test forbids looking up {name}"
                ) from None
            return real(host, *args, **kwargs)

        return getaddrinfo

    def addressed(self, real: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a socket method whose last argument is the address (connect, sendto)."""

        def method(sock: socket.socket, *args: Any) -> Any:
            host = self._beyond_loopback(sock, args)
            if host is not None:
                raise ConnectionRefusedError(
                    errno.ECONNREFUSED, f"test forbids connecting to {host}"
                )
            return real(sock, *args)

        return method

    def connect_ex(self, real: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap ``socket.connect_ex``, which answers with an error number instead of raising."""

        def connect_ex(sock: socket.socket, *args: Any) -> Any:
            if self._beyond_loopback(sock, args) is not None:
                return errno.ECONNREFUSED
            return real(sock, *args)

        return connect_ex

    def _beyond_loopback(self, sock: socket.socket, args: tuple[Any, ...]) -> str | None:
        """Return the host of the address in ``args`` if it is not loopback, recording it."""
        if sock.family not in INTERNET_FAMILIES or not args:
            return None
        # A name here would be resolved inside the socket call, past the getaddrinfo guard.
        address = args[-1]
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        if is_loopback(host):
            return None
        self.refused.append(host)
        return host


@pytest.fixture(name="network_guard", scope="session", autouse=True)
def fixture_network_guard() -> Iterator[NetworkGuard]:
    """Keep the whole session on 127.0.0.1 and ::1; yield what was refused."""
    guard = NetworkGuard()
    with pytest.MonkeyPatch.context() as patch:
        # boto3 probes 169.254.169.254 for credentials when it finds none; never let it try.
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.setattr(socket, "getaddrinfo", guard.getaddrinfo(socket.getaddrinfo))
        for name in ("connect", "sendto"):
            patch.setattr(socket.socket, name, guard.addressed(getattr(socket.socket, name)))
        patch.setattr(socket.socket, "connect_ex", guard.connect_ex(socket.socket.connect_ex))
        yield guard


@pytest.fixture(name="no_dns")
def fixture_no_dns(network_guard: NetworkGuard) -> list[str]:
    """Return the host names looked up from now on in this test (each lookup fails)."""
    network_guard.asked.clear()
    return network_guard.asked


CRITERIA: dict[str, Any] = {
    "framework": "AICPA Trust Services Criteria (2017)",
    "scope": [
        {"id": "security", "name": "Security", "required": True, "summary": "Protection."},
        {
            "id": "confidentiality",
            "name": "Confidentiality",
            "required": False,
            "summary": "Confidential data stays confidential.",
            "criteria": [{"id": "C1.1", "name": "Identifies confidential information"}],
        },
    ],
    "groups": [
        {
            "id": "CC1",
            "name": "Control Environment",
            "summary": "How we govern security.",
            "criteria": [
                {"id": "CC1.1", "name": "Integrity"},
                {"id": "CC1.2", "name": "Oversight"},
            ],
        },
        {
            "id": "CC6",
            "name": "Logical and Physical Access Controls",
            "summary": "Who can reach what.",
            "criteria": [
                {"id": "CC6.1", "name": "Logical access"},
                {"id": "CC6.2", "name": "New access"},
            ],
            "sections": ["CC6.1", "CC6.2"],
        },
    ],
}


COMPANY: dict[str, Any] = {
    "name": "Fixture Co.",
    "overview": "We protect data.",
    "site_url": "https://trust.fixture.example.com/",
    "contact": {"email": "security@fixture.example.com"},
    "disclosure": {"summary": "Tell us.", "policy_url": "https://fixture.example.com/disclosure"},
    "programmes": [{"name": "SOC 2 Type II", "status": "Audit in progress"}],
    "documents": {"request_url": "https://fixture.example.com/docs", "available": ["SOC 2 report"]},
    "subprocessors": [
        {"name": "Amazon Web Services", "purpose": "Hosting", "data": "All", "location": "EU"}
    ],
    "faq": [{"question": "Is data encrypted?", "answer": "Yes."}],
    "updates": [{"date": "2026-11-01", "title": "Audit started", "body": "It started."}],
    "security_txt": {"expires": "2099-01-01"},
}


def control(control_id: str, **fields: Any) -> dict[str, Any]:
    """A valid control mapping; keyword arguments replace or add fields."""
    group = control_id.split(".")[0]
    criterion = {"1": "CC1.1", "6": "CC6.1" if control_id.startswith("6.1") else "CC6.2"}[group]
    base: dict[str, Any] = {
        "id": control_id,
        "title": f"Checklist item {control_id}",
        "criteria": [criterion],
        "owner": "Cloud Admin",
        "status": "not_started",
        "frequency": "annual",
        "description": "What the control achieves. What an auditor asks to see.",
        "evidence": [],
        "checks": [],
        "references": ["https://docs.aws.amazon.com/"],
        "public": f"We do the thing of {control_id}.",
    }
    base.update(fields)
    return base


@dataclass
class Project:
    """A project folder with the real site configs and a small catalog."""

    root: Path

    def write(self, relative: str, content: Any) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    def write_control(self, data: dict[str, Any], name: str | None = None) -> Path:
        folder = f"cc{str(data.get('id', '1')).split('.')[0]}"
        return self.write(f"controls/{folder}/{name or data['id']}.yaml", data)

    @property
    def site(self) -> Path:
        return self.root / "site"


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    for name in ("mkdocs.yml", "mkdocs.base.yml", "mkdocs.public.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    for folder in ("docs", "overrides"):
        shutil.copytree(REPO / folder, tmp_path / folder)

    project = Project(tmp_path)
    project.write("controls/criteria.yaml", CRITERIA)
    project.write("trustcenter.yaml", COMPANY)
    project.write_control(control("1.1"))
    project.write_control(control("6.1.1", frequency="continuous"))
    project.write_control(control("6.2.1", criteria=["CC6.2", "C1.1"]))
    monkeypatch.chdir(tmp_path)
    yield project


def result(
    check: str,
    status: str,
    *,
    account: str = "123456789012",
    region: str = "us-east-1",
    failing: tuple[str, ...] = (),
    reason: str | None = None,
    at: dt.datetime | None = None,
) -> Result:
    """A result as the engine makes it, with one failing finding per resource in ``failing``."""
    at = at or dt.datetime.now(dt.UTC)
    findings = [Finding(r, FindingStatus.FAIL, f"{r} is not configured.") for r in failing]
    return Result(
        check=check,
        controls=[],
        account=account,
        region=region,
        status=ResultStatus(status),
        reason=reason or f"{check} is {status} in {region}.",
        findings=findings,
        exports=[f"{account}/{region}/iam/GetAccountSummary"],
        started=at,
        finished=at,
    )


def summary_export(key: str, result: Result, at: dt.datetime) -> Export:
    """The GetAccountSummary call stored under ``key``, as the engine records it."""
    return Export(
        key=key,
        account=result.account,
        region=result.region,
        service="iam",
        operation="GetAccountSummary",
        params={"MaxItems": 10},
        started=at,
        duration=0.01,
        response={"SummaryMap": {"AccountMFAEnabled": 1}},
    )


def seed_run(
    runs: Path, results: list[Result], *, demo: bool = False, finished: dt.datetime | None = None
) -> Path:
    """Write a complete run folder with one export per result, as `trustcenter collect` does."""
    finished = finished or dt.datetime.now(dt.UTC)
    exports = {key: summary_export(key, r, finished) for r in results for key in r.exports}
    info = RunInfo(
        id=run_id(finished),
        started=finished - dt.timedelta(minutes=1),
        finished=finished,
        tool_version="0.1.0",
        accounts=sorted({r.account for r in results}),
        regions=sorted({r.region for r in results if r.region != "global"}),
        demo=demo,
        checks=len({r.check for r in results}),
    )
    return write_run(runs, info, results, list(exports.values()))


MARKER_CHECK = Check(
    id="iam_marker_check",
    title="A check for tests",
    rule="The thing is configured.",
    service="iam",
    scope="regional",
    permissions=("iam:GetAccountSummary",),
    evaluate=lambda view: [],
)
