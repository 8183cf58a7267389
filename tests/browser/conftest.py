"""Headless Chromium (Debian's package) driven by Playwright against both built sites.

The sites are built from the shipped catalog into a temporary folder and served by two
HTTP servers on 127.0.0.1, the public one at its root as in production. Chromium is started
with the flags that keep it from calling home, so every request it makes is one a page asked
for; tests record them all.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import result, seed_run

from generator.build import build_sites
from generator.checks import registry

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TRUSTCENTER_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts"
PROJECT_FOLDERS = ("controls", "docs", "overrides")
PROJECT_FILES = ("mkdocs.yml", "mkdocs.base.yml", "mkdocs.public.yml", "trustcenter.yaml")
SEEDED_RESULTS = [
    result("ec2_security_group_admin_ports_restricted", "fail", failing=("sg-0abc1234",)),
    result("ec2_security_group_admin_ports_restricted", "pass", region="eu-west-1"),
    result("iam_password_policy_strong", "pass", region="global"),
    result("cloudtrail_multi_region_trail_logging", "error", region="global"),
]
"""The run the sites show: one failing control (6.6.3), two erroring ones (2.3, 7.1)."""

CHROMIUM_FLAGS = [
    "--no-sandbox",  # tests run as root in CI, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    # No name resolves: a page that reached for another host fails here instead of asking DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Served:
    """The two sites, each on its own origin."""

    internal: str
    public: str
    root: Path


@pytest.fixture(name="sites", scope="session")
def fixture_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    project = tmp_path_factory.mktemp("project")
    for name in PROJECT_FOLDERS:
        shutil.copytree(REPO / name, project / name)
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, project / name)
    seed_run(project / "evidence" / "runs", SEEDED_RESULTS)
    build_sites(project, project / "site", registry())

    servers = [_serve(project / "site" / audience) for audience in ("internal", "public")]
    try:
        yield Served(internal=servers[0][1], public=servers[1][1], root=project)
    finally:
        for server, _ in servers:
            server.shutdown()
            server.server_close()


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(name="browser", scope="session")
def fixture_browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium and chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page as a person would load it, with everything the browser saw on the way."""

    page: Any
    origin: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture(name="visit")
def fixture_visit(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(origin: str, path: str = "/") -> Visit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page=page, origin=origin)
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
        page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
        page.on("requestfailed", lambda r: visit.failed.append(f"{r.url} {r.failure}"))
        page.on(
            "response", lambda r: r.status >= 400 and visit.failed.append(f"{r.url} {r.status}")
        )
        page.on(
            "request",
            lambda r: _foreign(r.url, origin) and visit.foreign.append(r.url),
        )
        # A request for another origin is noted above and never sent.
        page.route("**/*", lambda route: _forward_own(route, origin))
        page.goto(origin + path, wait_until="networkidle")
        return visit

    yield open_page
    for context in contexts:
        context.close()


def _forward_own(route: Any, origin: str) -> None:
    if _foreign(route.request.url, origin):
        route.abort()
    else:
        route.continue_()


def _foreign(url: str, origin: str) -> bool:
    return not (url.startswith(origin + "/") or url == origin or url.startswith("data:"))


@pytest.fixture(name="artifacts", scope="session")
def fixture_artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
