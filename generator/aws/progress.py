"""What the person running a collection sees: progress while it runs, a summary at the end.

On a terminal: a rich progress bar over results on stderr and a rich table per control.
Elsewhere (CI logs): one plain line per result on stderr and a plain-text table, because bars
redrawn in place turn into noise in a log file.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from generator.aws.engine import Result, ResultStatus

COLUMNS = {
    ResultStatus.PASS: "pass",
    ResultStatus.FAIL: "fail",
    ResultStatus.ERROR: "error",
    ResultStatus.NOT_APPLICABLE: "n/a",
}


class BarProgress:
    """A rich progress bar over the results of a collection; use it as a context manager."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("{task.description:<56}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._task = self._bar.add_task("Collecting", total=None)
        self._total = 0
        # Accounts of an Organization begin from their own threads.
        self._lock = threading.Lock()

    def __enter__(self) -> BarProgress:
        self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._bar.stop()

    def begin(self, total: int) -> None:
        with self._lock:
            self._total += total
            self._bar.update(self._task, total=self._total)

    def advance(self, result: Result) -> None:
        self._bar.update(self._task, advance=1, description=f"{result.check} {result.region}")


class LineProgress:
    """One plain line per result, for logs; use it as a context manager."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self._echo = echo
        self._done = 0
        self._total = 0
        self._begun = False
        # Results arrive from the collection's worker threads.
        self._lock = threading.Lock()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None

    def begin(self, total: int) -> None:
        with self._lock:
            self._total += total
            if self._begun:
                self._echo(f"Collecting {total} more results ({self._total} in all).")
            else:
                self._echo(f"Collecting {total} results.")
            self._begun = True

    def advance(self, result: Result) -> None:
        with self._lock:
            self._done += 1
            width = len(str(self._total))
            self._echo(
                f"[{self._done:>{width}}/{self._total}] {result.status:<14} "
                f"{result.check} {result.region} {result.account}"
            )


@dataclass(frozen=True)
class ControlCounts:
    """How a control's checks came out in one run, result by result."""

    control: str
    counts: dict[ResultStatus, int]


def control_counts(results: Iterable[Result], controls: Sequence[str]) -> list[ControlCounts]:
    """Count each control's results by status, in the order of ``controls``."""
    tally: dict[str, Counter[ResultStatus]] = {control: Counter() for control in controls}
    for result in results:
        for control in result.controls:
            tally.setdefault(control, Counter())[result.status] += 1
    return [
        ControlCounts(control, {status: counts[status] for status in ResultStatus})
        for control, counts in tally.items()
    ]


def summary(rows: Sequence[ControlCounts], terminal: bool) -> str:
    """Return the per-control summary: a rich table on a terminal, plain text elsewhere."""
    if terminal:
        return _rich_table(rows)
    return _plain_table(rows)


def _rich_table(rows: Sequence[ControlCounts]) -> str:
    table = Table(title="Results per control")
    table.add_column("control")
    styles = {"pass": "green", "fail": "red", "error": "yellow", "n/a": "dim"}
    for title in COLUMNS.values():
        table.add_column(title, justify="right", style=styles[title])
    for row in rows:
        table.add_row(row.control, *(str(row.counts[status]) for status in COLUMNS))

    console = Console()
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def _plain_table(rows: Sequence[ControlCounts]) -> str:
    width = max([len("control"), *(len(row.control) for row in rows)])
    header = f"{'control':<{width}}" + "".join(f" {title:>5}" for title in COLUMNS.values())
    lines = [header]
    lines += [
        f"{row.control:<{width}}" + "".join(f" {row.counts[status]:>5}" for status in COLUMNS)
        for row in rows
    ]
    return "\n".join(lines) + "\n"
