"""The runs a build reads: the one it shows, verified first, and the history behind it."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.aws.engine import Result, ResultStatus
from generator.catalog import Catalog
from generator.checks.base import Check
from generator.runs import (
    Run,
    RunError,
    RunInfo,
    latest_run,
    read_run,
    verify_results,
    verify_run,
)
from generator.status import DEFAULT_RESULTS_MAX_AGE, Automated, Effective, assess

logger = logging.getLogger(__name__)


class UnverifiedRunError(Exception):
    """The run folder does not match its manifest; a build must not show it."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"run {path} fails verification ({len(problems)} difference(s))")


@dataclass(frozen=True)
class RunSummary:
    """One run as the history page and the trend chart show it."""

    info: RunInfo
    counts: Mapping[ResultStatus, int]
    complete: Mapping[str, int]
    """Controls complete per criterion group, judged on this run's results at its own time."""


@dataclass(frozen=True)
class Change:
    """A result whose status moved between the previous run and the latest."""

    result: Result
    before: ResultStatus | None
    """None when the previous run had no such result."""


@dataclass(frozen=True)
class Changes:
    previous: RunInfo
    newly_failing: list[Change]
    fixed: list[Change]
    new_errors: list[Change]


def load_run(runs_root: Path, chosen: Path | None) -> Run | None:
    """Return the run to show: ``chosen``, or the latest under ``runs_root``; verify it first."""
    path = chosen or latest_run(runs_root)
    if path is None:
        logger.info("no run under %s: checks show as not collected", runs_root)
        return None

    problems = verify_run(path)
    if problems:
        raise UnverifiedRunError(path, problems)
    return read_run(path)


@dataclass(frozen=True)
class History:
    runs: list[Run]
    """Every verified run up to the one shown, oldest first."""

    left_out: list[str]
    """One sentence per run folder left out: unreadable, or not matching its manifest."""


def load_history(runs_root: Path, shown: Run | None) -> History:
    """Every readable run up to the one shown that matches its manifest, oldest first.

    A run whose results.json does not match its manifest is left out, not shown: its counts
    would feed the trend and the changes since the previous run with evidence nobody can
    vouch for. Only results.json is checked, since nothing else of an earlier run is used.
    """
    if shown is None:
        return History([], [])
    folders = sorted(p for p in runs_root.iterdir() if _is_run(p)) if runs_root.is_dir() else []
    runs: list[Run] = []
    left_out: list[str] = []
    for path in folders:
        if path.name > shown.info.id:
            continue  # runs after the chosen one are not part of its history
        if path.name == shown.path.name:
            runs.append(shown)
            continue

        problems = verify_results(path)
        if problems:
            left_out.append(f"Run {path.name} fails verification: {problems[0]}")
            continue
        try:
            runs.append(read_run(path))
        except RunError as error:
            left_out.append(f"Run {path.name} cannot be read: {error}")

    for sentence in left_out:
        logger.warning("left out of the history: %s", sentence)
    if not any(run is shown for run in runs):
        runs.append(shown)
    return History(sorted(runs, key=lambda run: run.info.finished), left_out)


def automated(
    run: Run | None, checks: Mapping[str, Check], max_age: dt.timedelta = DEFAULT_RESULTS_MAX_AGE
) -> Automated:
    """What ``run`` says about each check, as the status rule reads it."""
    informational = frozenset(name for name, check in checks.items() if check.informational)
    if run is None:
        return Automated(informational=informational, max_age=max_age)

    by_check: dict[str, list[Result]] = {}
    for result in run.results:
        by_check.setdefault(result.check, []).append(result)
    return Automated(by_check, run.info.finished, informational, max_age)


def summarise(
    runs: Sequence[Run], catalog: Catalog, checks: Mapping[str, Check]
) -> list[RunSummary]:
    """Counts per run, and the controls complete per group as of each run's own finish."""
    summaries = []
    for run in runs:
        facts = automated(run, checks)
        day = run.info.finished.date()
        complete: Counter[str] = Counter()
        for control in catalog.controls:
            # Evidence collected after the run did not exist then; the manual status is
            # today's, since the catalog keeps no history of it.
            then = [item for item in control.evidence if item.collected <= day]
            as_of_run = control.model_copy(update={"evidence": then})
            if assess(as_of_run, run.info.finished, facts).state is Effective.COMPLETE:
                complete[control.group_id] += 1
        counts = Counter(result.status for result in run.results)
        summaries.append(RunSummary(run.info, counts, complete))
    return summaries


def changes(previous: Run, latest: Run) -> Changes:
    """What moved between two runs: results newly failing, fixed, or newly erroring."""
    before = {_key(result): result.status for result in previous.results}
    moved = [Change(result, before.get(_key(result))) for result in latest.results]
    fail, passed, error = ResultStatus.FAIL, ResultStatus.PASS, ResultStatus.ERROR
    return Changes(
        previous=previous.info,
        newly_failing=[c for c in moved if c.result.status is fail and c.before is not fail],
        fixed=[c for c in moved if c.before is fail and c.result.status is passed],
        new_errors=[c for c in moved if c.result.status is error and c.before is not error],
    )


def _key(result: Result) -> tuple[str, str, str]:
    return result.check, result.account, result.region


def _is_run(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith(".") and (path / "results.json").is_file()
