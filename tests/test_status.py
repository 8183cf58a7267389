"""Effective status never reads better than the evidence behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import control

from generator.catalog import Control
from generator.status import Effective, effective_status, stale_after

TODAY = dt.date(2026, 12, 3)


def evidence(collected: dt.date) -> dict[str, object]:
    return {
        "title": "Export",
        "location": "exports/x.json",
        "kind": "config-export",
        "collected": collected,
    }


@pytest.mark.parametrize(
    ("status", "items", "frequency", "expected"),
    [
        ("not_started", [], "annual", Effective.NOT_STARTED),
        ("not_started", [dt.date(2026, 12, 1)], "annual", Effective.NOT_STARTED),
        ("in_progress", [], "annual", Effective.IN_PROGRESS),
        ("in_progress", [dt.date(2020, 1, 1)], "annual", Effective.IN_PROGRESS),
        ("complete", [], "annual", Effective.CLAIMED),
        ("complete", [], "continuous", Effective.CLAIMED),
        ("complete", [dt.date(2026, 1, 1)], "annual", Effective.COMPLETE),
        ("complete", [dt.date(2025, 12, 3)], "annual", Effective.COMPLETE),
        ("complete", [dt.date(2025, 12, 2)], "annual", Effective.STALE),
        ("complete", [dt.date(2026, 9, 3)], "quarterly", Effective.COMPLETE),
        ("complete", [dt.date(2026, 9, 2)], "quarterly", Effective.STALE),
        ("complete", [dt.date(2026, 11, 3)], "monthly", Effective.COMPLETE),
        ("complete", [dt.date(2026, 11, 2)], "monthly", Effective.STALE),
        ("complete", [dt.date(2026, 11, 2)], "continuous", Effective.STALE),
        ("complete", [dt.date(2026, 12, 1), dt.date(2024, 1, 1)], "annual", Effective.STALE),
    ],
)
def test_effective_status(status, items, frequency, expected):
    data = control("1.1", status=status, frequency=frequency, evidence=[evidence(d) for d in items])

    assert effective_status(Control.model_validate(data), TODAY) is expected


@pytest.mark.parametrize(
    ("collected", "frequency", "first_stale_day"),
    [
        (dt.date(2026, 1, 15), "quarterly", dt.date(2026, 4, 16)),
        (dt.date(2026, 1, 31), "monthly", dt.date(2026, 3, 1)),  # February has no 31st
        (dt.date(2024, 2, 29), "annual", dt.date(2025, 3, 1)),
        (dt.date(2026, 11, 30), "quarterly", dt.date(2027, 3, 1)),
    ],
)
def test_evidence_turns_stale_the_day_after_its_window_ends(collected, frequency, first_stale_day):
    assert stale_after(collected, frequency) == first_stale_day
