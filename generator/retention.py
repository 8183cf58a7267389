"""Retention of run folders: runs accumulate, and are removed only when asked."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from generator.runs import RunError, read_run

logger = logging.getLogger(__name__)


def prune_runs(runs_root: Path, keep_days: int, now: dt.datetime) -> list[Path]:
    """Remove runs that finished more than ``keep_days`` days ago, never the newest one.

    A folder that cannot be read as a run is left alone: deleting evidence needs certainty.
    For the same reason the run kept as the newest is the newest that can be read, so an
    unreadable folder with a later name cannot leave the latest good evidence unprotected.
    Hidden folders (runs still being written) are not touched. Returns the folders removed,
    oldest first.
    """
    if not runs_root.is_dir():
        return []
    readable: list[tuple[Path, dt.datetime]] = []
    for folder in sorted(p for p in runs_root.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        try:
            readable.append((folder, read_run(folder).info.finished))
        except RunError as error:
            logger.warning("kept %s: it cannot be read as a run (%s)", folder, error)
    if not readable:
        return []

    newest, _ = max(readable, key=lambda pair: pair[1])
    cutoff = now - dt.timedelta(days=keep_days)
    removed = []
    for folder, finished in readable:
        if folder != newest and finished < cutoff:
            shutil.rmtree(folder)
            logger.info("removed run %s, finished %s", folder.name, finished.isoformat())
            removed.append(folder)
    return removed
