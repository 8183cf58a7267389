"""Benchmark 3: API-call economy of one full ``trustcenter collect``.

From the moto server's request log of the measured full run: every request keyed by
(access key, region, service, operation, parameters hash). A key seen more than once is a
duplicate; duplicates of requests that failed with a 5xx status are retries, told apart from
repeats of answered requests, which the response store should make impossible. From the run
folder: how many exports (distinct calls, pages merged) each check's results were based on.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from typing import Any

from benchmarks.collection import ToolRun
from benchmarks.report import Table

logger = logging.getLogger(__name__)

LISTED = 10


def benchmark(full: ToolRun) -> tuple[list[Table], dict[str, Any]]:
    """Count duplicates on the wire and the calls behind each check of ``full``."""
    keys = Counter(_key(request) for request in full.requests)
    statuses: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for request in full.requests:
        statuses[_key(request)].append(str(request["status"]))

    repeated = {key: count for key, count in keys.items() if count > 1}
    retries = {key: n for key, n in repeated.items() if _all_but_last_failed(statuses[key])}
    answered = {key: n for key, n in repeated.items() if key not in retries}

    per_check = _per_check(full)
    exports = _export_count(full)
    figures = {
        "wire_requests": len(full.requests),
        "distinct_requests": len(keys),
        "exports": exports,
        "duplicate_keys": len(repeated),
        "duplicate_requests": sum(n - 1 for n in repeated.values()),
        "retries_sent": {_label(key): n for key, n in retries.items()},
        "repeats_sent": {_label(key): n for key, n in answered.items()},
        "retry_duplicates": sum(n - 1 for n in retries.values()),
        "answered_duplicates": sum(n - 1 for n in answered.values()),
        "calls_per_check": per_check,
    }
    return [_summary_table(figures), _check_table(per_check)], figures


def _summary_table(figures: dict[str, Any]) -> Table:
    table = Table(
        "3. API-call economy of the full trustcenter run",
        ["figure", "value"],
    )
    table.add("requests on the wire", figures["wire_requests"])
    table.add("distinct (account, region, operation, parameters)", figures["distinct_requests"])
    table.add("exports in the run folder (distinct calls, pages merged)", figures["exports"])
    table.add("duplicated requests (all causes)", figures["duplicate_requests"])
    table.add("  of them retries after a 5xx answer", figures["retry_duplicates"])
    table.add("  of them repeats of answered requests", figures["answered_duplicates"])
    for label, count in list(figures["retries_sent"].items())[:LISTED]:
        table.notes.append(f"retried: {label} sent {count} times")
    for label, count in list(figures["repeats_sent"].items())[:LISTED]:
        table.notes.append(f"repeated: {label} sent {count} times")
    return table


def _check_table(per_check: dict[str, dict[str, int]]) -> Table:
    table = Table(
        "3b. Calls behind each check (exports its results used, summed over regions)",
        ["check", "results", "calls", "calls/result"],
    )
    ranked = sorted(per_check.items(), key=lambda item: -item[1]["calls"])
    for check, counts in ranked[:LISTED]:
        table.add(check, counts["results"], counts["calls"], counts["calls"] / counts["results"])
    rest = ranked[LISTED:]
    if rest:
        results = sum(counts["results"] for _, counts in rest)
        calls = sum(counts["calls"] for _, counts in rest)
        table.add(f"({len(rest)} other checks)", results, calls, calls / results)
    table.notes.append("Exports shared by several checks count once for each; JSON has all.")
    return table


def _per_check(full: ToolRun) -> dict[str, dict[str, int]]:
    if full.run_folder is None:
        return {}
    data = json.loads((full.run_folder / "results.json").read_text(encoding="utf-8"))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"results": 0, "calls": 0})
    for result in data["results"]:
        counts[result["check"]]["results"] += 1
        counts[result["check"]]["calls"] += len(result["exports"])
    return dict(counts)


def _export_count(full: ToolRun) -> int:
    if full.run_folder is None:
        return 0
    return sum(1 for _ in (full.run_folder / "exports").rglob("*.json"))


def _key(request: dict[str, Any]) -> tuple[str, ...]:
    return (
        request["key"],
        request["region"],
        request["service"],
        request["operation"],
        request["params"],
    )


def _label(key: tuple[str, ...]) -> str:
    _, region, service, operation, params = key
    return f"{service}:{operation} in {region} (parameters {params})"


def _all_but_last_failed(statuses: list[str]) -> bool:
    return all(status.startswith("5") for status in statuses[:-1])
