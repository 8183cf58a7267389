"""Effective status: what a control can honestly be shown as, given its evidence.

A manual status of ``complete`` is a claim. It is shown as complete only when evidence backs
it and that evidence is fresh for the control's review frequency; otherwise the control is
shown as "claimed, no evidence" or as "stale". The effective status never reads better than
the manual status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

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


class Effective(StrEnum):
    """The states a control can be shown in, worst first."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
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
    Effective.CLAIMED: StateInfo(
        "[!]",
        "Claimed — no evidence",
        "The control is marked complete, but no evidence has been collected and retained, "
        "so it is not shown as implemented.",
    ),
    Effective.STALE: StateInfo(
        "[?]",
        "Stale",
        "The control is marked complete, but at least one evidence item is older than its "
        "review frequency allows; renew the evidence.",
    ),
    Effective.COMPLETE: StateInfo(
        "[x]",
        "Complete",
        "The control is marked complete and every evidence item is fresh for its review frequency.",
    ),
}


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
    """The status a control is shown with, never better than its evidence supports."""
    if control.status is Status.NOT_STARTED:
        return Effective.NOT_STARTED
    if control.status is Status.IN_PROGRESS:
        return Effective.IN_PROGRESS

    if not control.evidence:
        return Effective.CLAIMED
    if any(is_stale(item, control.frequency, today) for item in control.evidence):
        return Effective.STALE
    return Effective.COMPLETE


def _days_in(year: int, month: int) -> int:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    return (next_month - dt.timedelta(days=1)).day
