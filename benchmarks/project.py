"""Throw-away project folders: the shipped catalog copied, narrowed or cloned to a larger size.

A project folder holds what ``trustcenter`` reads: ``controls/``, ``trustcenter.yaml``, the
MkDocs configurations, ``docs/`` and ``overrides/``.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SHARED = ["trustcenter.yaml", "docs", "overrides"]
CHECKS_LINE = re.compile(r"^checks: \[(.*)\]$", re.MULTILINE)
ID_LINE = re.compile(r'^id: "([0-9.]+)"$', re.MULTILINE)
CLONE_STEP = 100
"""Clone k of control ``a.b.c`` becomes ``a.b.(c + k * CLONE_STEP)``; no shipped id reaches it."""


def shipped_controls() -> list[Path]:
    """Return the shipped control files, in path order."""
    return sorted((REPO / "controls").glob("cc*/*.yaml"))


def copy_project(target: Path) -> None:
    """Copy everything but the controls into ``target``: company, criteria, configs, pages."""
    target.mkdir(parents=True)
    for name in SHARED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    for config in REPO.glob("mkdocs*.yml"):
        shutil.copy2(config, target / config.name)
    (target / "controls").mkdir()
    shutil.copy2(REPO / "controls" / "criteria.yaml", target / "controls" / "criteria.yaml")


def narrowed_project(target: Path, keep: Callable[[str], bool]) -> None:
    """Copy the project, keeping in each control's ``checks:`` only the ids ``keep`` accepts."""
    copy_project(target)
    for source in shipped_controls():
        text = source.read_text(encoding="utf-8")
        text = CHECKS_LINE.sub(lambda match: _narrowed(match.group(1), keep), text)
        _write(target, source, text)


def cloned_project(target: Path, copies: int) -> int:
    """Copy the project with ``copies`` clones of every control; return how many controls."""
    copy_project(target)
    written = 0
    for source in shipped_controls():
        text = source.read_text(encoding="utf-8")
        found = ID_LINE.search(text)
        if found is None:
            raise ValueError(f"{source} has no quoted id line")
        for copy, new_id in zip(range(copies), _clone_ids(found.group(1)), strict=False):
            clone = ID_LINE.sub(f'id: "{new_id}"', text, count=1)
            folder = target / "controls" / source.parent.name
            folder.mkdir(exist_ok=True)
            (folder / f"{new_id}.yaml").write_text(clone, encoding="utf-8")
            written += 1
            logger.debug("clone %d of %s is %s", copy, source.name, new_id)
    return written


def _clone_ids(control_id: str) -> Iterator[str]:
    *head, last = control_id.split(".")
    copy = 0
    while True:
        yield ".".join([*head, str(int(last) + copy * CLONE_STEP)])
        copy += 1


def _narrowed(listed: str, keep: Callable[[str], bool]) -> str:
    names = [name.strip() for name in listed.split(",") if name.strip()]
    return f"checks: [{', '.join(name for name in names if keep(name))}]"


def _write(target: Path, source: Path, text: str) -> None:
    folder = target / "controls" / source.parent.name
    folder.mkdir(exist_ok=True)
    (folder / source.name).write_text(text, encoding="utf-8")
