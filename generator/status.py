"""Effective status: what a control can honestly be shown as, given its evidence and checks.

A manual status of ``complete`` is a claim. It is shown as complete only when the evidence
backs it: every listed evidence item fresh for the control's review frequency, and every
automated check passing in every account and region it ran in, in a run recent enough to
count. Failing and erroring checks always show, whatever the manual status says; the
effective status never reads better than the evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from generator.aws.engine import Result, ResultStatus
from generator.catalog import Control, Evidence, Frequency, Status

# How old evidence may be before it is stale. The checklist names annual, quarterly and
# monthly reviews; configuration watched continuously is exported at least monthly too, so a
# config export is never older than the monthly review that would have caught drift.
MAX_AGE_MONTHS = {
    Frequency.ANNUAL: 12,
    Frequency.QUARTERLY: 3,
    Frequency.MONTHLY: 1,
    Frequency.CONTINUOUS: 1,
}

DEFAULT_RESULTS_MAX_AGE = dt.timedelta(hours=48)
"""Check results older than this are stale: a missed nightly run shows the next morning."""


class Effective(StrEnum):
    """The states a control can be shown in."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    FAILING = "failing"
    UNVERIFIED = "unverified"
    CLAIMED = "claimed"
    STALE = "stale"
    COMPLETE = "complete"


@dataclass(frozen=True)
class StateInfo:
    """How a state is shown, and what it means."""

    mark: str
    label: str
    meaning: str


STATES: dict[Effective, StateInfo] = {
    Effective.NOT_STARTED: StateInfo("[ ]", "Not started", "Work on the control has not begun."),
    Effective.IN_PROGRESS: StateInfo(
        "[~]", "In progress", "Work has begun; the control is not yet operating."
    ),
    Effective.FAILING: StateInfo(
        "[✗]",
        "Failing",
        "An automated check found a failing resource in the latest run, whatever the manual "
        "status says; the failures are listed on the control's page.",
    ),
    Effective.UNVERIFIED: StateInfo(
        "[?]",
        "Unverified",
        "An automated check could not run (an AWS error), whatever the manual status; or the "
        "control is marked complete and a check was not collected or applied nowhere. Either "
        "way it cannot be shown as passing.",
    ),
    Effective.CLAIMED: StateInfo(
        "[!]",
        "Claimed — no evidence",
        "The control is marked complete, but no evidence has been collected and retained, "
        "so it is not shown as implemented.",
    ),
    Effective.STALE: StateInfo(
        "[-]",
        "Stale",
        "The control is marked complete, but an evidence item is older than its review "
        "frequency allows, or its check results are older than the allowed age.",
    ),
    Effective.COMPLETE: StateInfo(
        "[x]",
        "Complete",
        "The control is marked complete, every evidence item is fresh, and every automated "
        "check passed in every account and region of a recent run.",
    ),
}


@dataclass(frozen=True)
class Automated:
    """What the latest run says, as the status rule needs it."""

    results: Mapping[str, Sequence[Result]] = field(default_factory=dict)
    """Results by check id; a check absent here was not collected."""

    collected: dt.datetime | None = None
    """When the run finished; None when there is no run."""

    informational: frozenset[str] = frozenset()
    """Checks that inform but never decide a status (e.g. Audit Manager)."""

    max_age: dt.timedelta = DEFAULT_RESULTS_MAX_AGE


NO_RUN = Automated()


@dataclass(frozen=True)
class Assessment:
    """A control's effective status and the sentences that explain it."""

    state: Effective
    reasons: list[str] = field(default_factory=list)


def stale_after(collected: dt.date, frequency: Frequency) -> dt.date:
    """The first day on which evidence collected on ``collected`` counts as stale."""
    months = collected.month - 1 + MAX_AGE_MONTHS[frequency]
    year = collected.year + months // 12
    month = months % 12 + 1
    day = min(collected.day, _days_in(year, month))
    return dt.date(year, month, day) + dt.timedelta(days=1)


def is_stale(evidence: Evidence, frequency: Frequency, today: dt.date) -> bool:
    return today >= stale_after(evidence.collected, frequency)


def effective_status(control: Control, today: dt.date) -> Effective:
    """The status of a control judged on its manual status and listed evidence alone."""
    return assess(control, dt.datetime.combine(today, dt.time(12), dt.UTC), NO_RUN).state


def assess(control: Control, now: dt.datetime, automated: Automated) -> Assessment:
    """Decide the effective status of ``control`` from all it has: status, evidence, checks."""
    deciding = [name for name in control.checks if name not in automated.informational]
    results = [r for name in deciding for r in automated.results.get(name, [])]
    failures = [r for r in results if r.status is ResultStatus.FAIL]
    errors = [r for r in results if r.status is ResultStatus.ERROR]
    uncollected = [name for name in deciding if name not in automated.results]

    # Checks speak first: a failure or an error shows whatever the manual status claims.
    if failures:
        return Assessment(Effective.FAILING, [_where(r) for r in failures])
    if errors:
        return Assessment(Effective.UNVERIFIED, [_where(r) for r in errors])

    if control.status is Status.NOT_STARTED:
        return Assessment(Effective.NOT_STARTED)
    if control.status is Status.IN_PROGRESS:
        return Assessment(Effective.IN_PROGRESS)

    if uncollected:
        return Assessment(
            Effective.UNVERIFIED, [f"{name} was not collected." for name in uncollected]
        )
    unproven = [name for name in deciding if not _passed(automated.results[name])]
    if unproven:
        reasons = [f"{name} passed nowhere; it did not apply." for name in unproven]
        return Assessment(Effective.UNVERIFIED, reasons)
    if not control.evidence and not deciding:
        return Assessment(Effective.CLAIMED, ["No evidence is listed and no check backs it."])

    stale = [item for item in control.evidence if is_stale(item, control.frequency, now.date())]
    if stale:
        return Assessment(Effective.STALE, [f"{item.title} is stale." for item in stale])
    if deciding and automated.collected and now - automated.collected > automated.max_age:
        age = now - automated.collected
        return Assessment(Effective.STALE, [f"Check results are {_hours(age)} hours old."])
    return Assessment(Effective.COMPLETE)


def _passed(results: Sequence[Result]) -> bool:
    return any(result.status is ResultStatus.PASS for result in results)


def _where(result: Result) -> str:
    return f"{result.check} in {result.account} {result.region}: {result.reason}"


def _hours(age: dt.timedelta) -> int:
    return int(age.total_seconds() // 3600)


def _days_in(year: int, month: int) -> int:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return (next_month - dt.timedelta(days=1)).day
