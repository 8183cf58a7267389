"""Effective status never reads better than the evidence behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import control

from generator.aws.engine import Result, ResultStatus
from generator.catalog import Control
from generator.status import Automated, Effective, assess, effective_status, stale_after

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


# Every combination of manual status, listed evidence and automated checks, and what the
# control is shown as. Columns: manual status, evidence, checks -> effective status.
#   evidence: none | fresh | stale
#   checks:   none (the control names no check) | uncollected (no run has it) | pass | fail |
#             error | n/a (it applied nowhere) | old (passed, in a run older than 48 hours)
STATUS_TABLE = """
not_started none  none        not_started
not_started none  uncollected not_started
not_started none  pass        not_started
not_started none  fail        failing
not_started none  error       unverified
not_started none  n/a         not_started
not_started none  old         not_started
not_started fresh none        not_started
not_started fresh uncollected not_started
not_started fresh pass        not_started
not_started fresh fail        failing
not_started fresh error       unverified
not_started fresh n/a         not_started
not_started fresh old         not_started
not_started stale none        not_started
not_started stale uncollected not_started
not_started stale pass        not_started
not_started stale fail        failing
not_started stale error       unverified
not_started stale n/a         not_started
not_started stale old         not_started
in_progress none  none        in_progress
in_progress none  uncollected in_progress
in_progress none  pass        in_progress
in_progress none  fail        failing
in_progress none  error       unverified
in_progress none  n/a         in_progress
in_progress none  old         in_progress
in_progress fresh none        in_progress
in_progress fresh uncollected in_progress
in_progress fresh pass        in_progress
in_progress fresh fail        failing
in_progress fresh error       unverified
in_progress fresh n/a         in_progress
in_progress fresh old         in_progress
in_progress stale none        in_progress
in_progress stale uncollected in_progress
in_progress stale pass        in_progress
in_progress stale fail        failing
in_progress stale error       unverified
in_progress stale n/a         in_progress
in_progress stale old         in_progress
complete    none  none        claimed
complete    none  uncollected unverified
complete    none  pass        complete
complete    none  fail        failing
complete    none  error       unverified
complete    none  n/a         unverified
complete    none  old         stale
complete    fresh none        complete
complete    fresh uncollected unverified
complete    fresh pass        complete
complete    fresh fail        failing
complete    fresh error       unverified
complete    fresh n/a         unverified
complete    fresh old         stale
complete    stale none        stale
complete    stale uncollected unverified
complete    stale pass        stale
complete    stale fail        failing
complete    stale error       unverified
complete    stale n/a         unverified
complete    stale old         stale
"""

NOW = dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC)
EVIDENCE_DATES = {"none": None, "fresh": dt.date(2026, 11, 1), "stale": dt.date(2025, 1, 1)}


def result(status: str, check: str = "iam_password_policy_strong") -> Result:
    return Result(
        check=check,
        controls=["1.1"],
        account="123456789012",
        region="global",
        status=ResultStatus(status),
        reason=f"It is {status}.",
        findings=[],
        exports=[],
        started=NOW,
        finished=NOW,
    )


def automated_for(checks: str) -> tuple[list[str], Automated]:
    names = [] if checks == "none" else ["iam_password_policy_strong"]
    statuses = {"pass": "pass", "fail": "fail", "error": "error", "n/a": "not_applicable"}
    statuses["old"] = "pass"  # a passing result, made old by its collection time below
    results = {name: [result(statuses[checks], name)] for name in names if checks in statuses}
    collected = NOW - dt.timedelta(hours=72 if checks == "old" else 6)
    return names, Automated(results=results, collected=collected)


@pytest.mark.parametrize("row", STATUS_TABLE.strip().splitlines())
def test_the_status_table(row):
    manual, evidence, checks, expected = row.split()
    collected = EVIDENCE_DATES[evidence]
    names, automated = automated_for(checks)
    items = [] if collected is None else [evidence_item(collected)]
    data = control("1.1", status=manual, frequency="annual", checks=names, evidence=items)

    assessment = assess(Control.model_validate(data), NOW, automated)

    assert assessment.state is Effective(expected)


def evidence_item(collected: dt.date) -> dict[str, object]:
    return evidence(collected)


def test_a_failing_control_lists_every_failure():
    automated = Automated(
        results={"iam_password_policy_strong": [result("fail"), result("pass"), result("fail")]},
        collected=NOW,
    )
    data = control("1.1", status="complete", checks=["iam_password_policy_strong"])

    assessment = assess(Control.model_validate(data), NOW, automated)

    assert assessment.reasons == [
        "iam_password_policy_strong in 123456789012 global: It is fail.",
        "iam_password_policy_strong in 123456789012 global: It is fail.",
    ]


def test_an_informational_check_never_decides_the_status():
    automated = Automated(
        results={"iam_password_policy_strong": [result("fail")]},
        collected=NOW,
        informational=frozenset({"iam_password_policy_strong"}),
    )
    data = control("1.1", status="in_progress", checks=["iam_password_policy_strong"])

    assert assess(Control.model_validate(data), NOW, automated).state is Effective.IN_PROGRESS
