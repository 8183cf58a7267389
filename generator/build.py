"""Build both sites: validate, render Markdown, run MkDocs, and publish all or nothing."""

from __future__ import annotations

import datetime as dt
import logging
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

from generator.checks.base import Check
from generator.internal import render_internal
from generator.loader import load_catalog
from generator.public import public_model, render_public
from generator.sources import Sources

logger = logging.getLogger(__name__)

HAND_WRITTEN = "docs"
PAGES = "build"
CONFIGS = {"internal": "mkdocs.yml", "public": "mkdocs.public.yml"}


class BuildError(Exception):
    """MkDocs refused to build a site; the previous output was left untouched."""


@dataclass(frozen=True)
class BuiltSites:
    site: Path
    seconds: dict[str, float]
    """Wall time of each site's MkDocs build, by audience."""

    controls: int


Renderer = Callable[[Sources, Path], list[object]]


def build_sites(
    root: Path, site: Path, checks: Mapping[str, Check], today: dt.date | None = None
) -> BuiltSites:
    """Build the internal and public sites from the catalog under ``root`` into ``site``.

    Everything is built in a staging folder beside ``site`` and swapped in only when both
    sites built, so a failure at any step leaves the previous output byte for byte as it was.
    """
    catalog = load_catalog(root, checks)
    sources = Sources(catalog=catalog, checks=checks, today=today or dt.date.today())
    renderers: dict[str, Renderer] = {
        "internal": render_internal,
        "public": lambda sources, out: render_public(public_model(sources), out),
    }

    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site.name}-staging-", dir=site.parent))
    seconds: dict[str, float] = {}
    try:
        for audience, render in renderers.items():
            pages = staging / "pages" / audience
            _copy_hand_written(root, audience, pages)
            nav = render(sources, pages)
            seconds[audience] = _run_mkdocs(root, audience, pages, staging / "site" / audience, nav)

        for audience in renderers:
            _replace(staging / "pages" / audience, root / PAGES / audience)
        _replace(staging / "site", site)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    logger.info("built both sites into %s", site)
    return BuiltSites(site=site, seconds=seconds, controls=len(catalog.controls))


def _copy_hand_written(root: Path, audience: str, pages: Path) -> None:
    # Shared assets go to both sites; each audience's own pages only to its site.
    shutil.copytree(root / HAND_WRITTEN / "assets", pages / "assets", dirs_exist_ok=True)
    own = root / HAND_WRITTEN / audience
    if own.is_dir():
        shutil.copytree(own, pages, dirs_exist_ok=True)


def _run_mkdocs(root: Path, audience: str, pages: Path, out: Path, nav: list[object]) -> float:
    started = time.perf_counter()
    config_file = root / CONFIGS[audience]
    try:
        config: Any = load_config(
            config_file=str(config_file), docs_dir=str(pages), site_dir=str(out), nav=nav
        )
        config["strict"] = True  # our pages must build clean whatever the config file says
        mkdocs_build(config)
    except MkDocsException as error:
        raise BuildError(
            f"the {audience} site did not build ({config_file.name}): {error}"
        ) from error
    elapsed = time.perf_counter() - started
    logger.info("built the %s site in %.2f s", audience, elapsed)
    return elapsed


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
