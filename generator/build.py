"""Build both sites: validate, render Markdown, run MkDocs, and publish all or nothing."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from generator.catalog import Catalog
from generator.checks.base import Check
from generator.history import (
    UnverifiedRunError,
    automated,
    changes,
    load_history,
    load_run,
    summarise,
)
from generator.internal import render_internal
from generator.leakguard import scan
from generator.loader import load_catalog
from generator.markdown import Rendered
from generator.problems import BuildError, LeakError
from generator.public import (
    PublicTrustCenter,
    internal_values,
    public_model,
    public_texts,
    render_public,
)
from generator.runs import RUNS_DIR, RunError
from generator.sources import Sources
from generator.status import DEFAULT_RESULTS_MAX_AGE

logger = logging.getLogger(__name__)

__all__ = ["BuildError", "BuiltSites", "LeakError", "build_sites"]

HAND_WRITTEN = "docs"
PAGES = "build"
CONFIGS = {"internal": "mkdocs.yml", "public": "mkdocs.public.yml"}


@dataclass(frozen=True)
class BuiltSites:
    site: Path
    seconds: dict[str, float]
    """Wall time of each site's MkDocs build, by audience."""

    controls: int


Renderer = Callable[[Sources, Path], Rendered]


def build_sites(
    root: Path,
    site: Path,
    checks: Mapping[str, Check],
    today: dt.date | None = None,
    *,
    run: Path | None = None,
    runs_root: Path | None = None,
    max_age: dt.timedelta = DEFAULT_RESULTS_MAX_AGE,
) -> BuiltSites:
    """Build the internal and public sites from the catalog under ``root`` into ``site``.

    The sites show ``run``, or the latest run under ``runs_root`` (``evidence/runs``), after
    verifying it against its manifest. Everything is built in a staging folder beside ``site``
    and swapped in only when both sites built and the public one passed the leak guard, so a
    failure at any step leaves the previous output byte for byte as it was.
    """
    catalog = load_catalog(root, checks)
    sources = gather(root, catalog, checks, today, run, runs_root or root / RUNS_DIR, max_age)
    renderers: dict[str, Renderer] = {
        "internal": render_internal,
        "public": lambda sources, out: render_public(public_model(sources), out),
    }
    guard = Guard(internal_values(sources), public_model(sources))

    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site.name}-staging-", dir=site.parent))
    seconds: dict[str, float] = {}
    try:
        for audience, render in renderers.items():
            pages = staging / "pages" / audience
            _copy_hand_written(root, audience, pages)
            rendered = render(sources, pages)
            out = staging / "site" / audience
            seconds[audience] = _run_mkdocs(root, audience, pages, out, rendered)

        guard.check(staging / "site" / "public")

        for audience in renderers:
            _replace(staging / "pages" / audience, root / PAGES / audience)
        _replace(staging / "site", site)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    logger.info("built both sites into %s", site)
    return BuiltSites(site=site, seconds=seconds, controls=len(catalog.controls))


def gather(
    root: Path,
    catalog: Catalog,
    checks: Mapping[str, Check],
    today: dt.date | None,
    chosen: Path | None,
    runs_root: Path,
    max_age: dt.timedelta,
) -> Sources:
    """Read the run to show, verified, and the history behind it."""
    now = dt.datetime.now(dt.UTC)
    if today is not None:
        now = dt.datetime.combine(today, now.time(), dt.UTC)
    try:
        run = load_run(runs_root, chosen)
    except UnverifiedRunError as error:
        raise BuildError(f"{error}: {'; '.join(error.problems[:5])}; refusing to use it") from error
    except RunError as error:
        raise BuildError(str(error)) from error

    history = load_history(runs_root, run)
    runs = history.runs
    return Sources(
        root=root,
        catalog=catalog,
        checks=checks,
        now=now,
        run=run,
        automated=automated(run, checks, max_age),
        history=summarise(runs, catalog, checks),
        changes=changes(runs[-2], runs[-1]) if len(runs) >= 2 else None,
        left_out=history.left_out,
    )


def _copy_hand_written(root: Path, audience: str, pages: Path) -> None:
    # Shared assets go to both sites; each audience's own pages only to its site.
    shutil.copytree(root / HAND_WRITTEN / "assets", pages / "assets", dirs_exist_ok=True)
    own = root / HAND_WRITTEN / audience
    if own.is_dir():
        shutil.copytree(own, pages, dirs_exist_ok=True)


def _run_mkdocs(root: Path, audience: str, pages: Path, out: Path, rendered: Rendered) -> float:
    started = time.perf_counter()
    config_file = root / CONFIGS[audience]
    try:
        config: Any = load_config(
            config_file=str(config_file),
            docs_dir=str(pages),
            site_dir=str(out),
            nav=rendered.nav,
            **rendered.settings,
        )
        config["strict"] = True  # our pages must build clean whatever the config file says
        config["extra"].update(rendered.extra)
        mkdocs_build(config)
    except MkDocsException as error:
        message = f"the {audience} site did not build ({config_file.name}): {error}"
        raise BuildError(message) from error

    elapsed = time.perf_counter() - started
    logger.info("built the %s site in %.2f s", audience, elapsed)
    return elapsed


@dataclass(frozen=True)
class Guard:
    """The leak guard, armed with what must not appear and what may."""

    forbidden: list[str]
    model: PublicTrustCenter

    def check(self, public_site: Path) -> None:
        allowed = public_texts(self.model)
        emails = [text for text in allowed if "@" in text and " " not in text]
        found = scan(public_site, self.forbidden, emails)

        # Only what was found is weighed against the public text: with thousands of controls,
        # weighing every internal value up front would dominate the build.
        leaks = [
            leak
            for leak in found
            if leak.kind != "internal value" or not _said_publicly(leak.match, allowed)
        ]
        if leaks:
            raise LeakError(leaks)


def _said_publicly(value: str, public: list[str]) -> bool:
    # A value that the public model itself says (an owner called "Security" next to the
    # Security category) is not a leak when it shows up on the public site.
    pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
    return any(pattern.search(text) for text in public)


def _replace(staged: Path, target: Path) -> None:
    """Put ``staged`` where ``target`` is, keeping the old target until the move succeeded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}-old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.replace(old)
    try:
        shutil.move(str(staged), str(target))
    except OSError:
        if old.exists():
            old.replace(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
