"""Retention of run folders: runs accumulate, and are removed only when asked."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from generator.runs import RunError, latest_run, read_run

logger = logging.getLogger(__name__)


def prune_runs(runs_root: Path, keep_days: int, now: dt.datetime) -> list[Path]:
    """Remove runs that finished more than ``keep_days`` days ago, never the latest one.

    A folder that cannot be read as a run is left alone: deleting evidence needs certainty.
    Returns the folders removed, oldest first.
    """
    latest = latest_run(runs_root)
    if latest is None:
        return []
    cutoff = now - dt.timedelta(days=keep_days)

    removed = []
    for folder in sorted(p for p in runs_root.iterdir() if p.is_dir() and p != latest):
        try:
            finished = read_run(folder).info.finished
        except RunError as error:
            logger.warning("kept %s: it cannot be read as a run (%s)", folder, error)
            continue
        if finished < cutoff:
            shutil.rmtree(folder)
            logger.info("removed run %s, finished %s", folder.name, finished.isoformat())
            removed.append(folder)
    return removed
