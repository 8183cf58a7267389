"""What the sites are built from: the catalog, the checks, and the runs of evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.catalog import Catalog, Control
from generator.checks.base import Check
from generator.history import Changes, RunSummary
from generator.runs import Run
from generator.status import Assessment, Automated, assess


@dataclass(frozen=True)
class Sources:
    """Everything one build reads, gathered once so each site renders from the same facts."""

    root: Path
    """The project folder, for files the catalog names by path (the company logo)."""

    catalog: Catalog
    checks: Mapping[str, Check]
    now: dt.datetime
    run: Run | None
    """The run the sites show (the latest, unless one was chosen), already verified."""

    automated: Automated
    history: list[RunSummary]
    """Every run up to the one shown, oldest first."""

    changes: Changes | None
    """What moved since the run before the one shown; None with fewer than two runs."""

    left_out: list[str] = field(default_factory=list)
    """Run folders kept out of the history, one sentence each (unreadable or unverified)."""

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def assess(self, control: Control) -> Assessment:
        return assess(control, self.now, self.automated)
