"""Benchmark 1: trustcenter and Prowler collecting from the same seeded moto endpoint.

One moto server, one seeded mid-size account in two regions. A warm-up collection (not
measured) makes moto create its per-region backends, so neither measured tool pays for that.
Then, in turn: ``trustcenter collect`` over the full shipped checklist, ``trustcenter
collect`` over only the checks that have a Prowler equivalent, and Prowler over those
equivalents. Each is timed, and the requests it made are read back from the moto server's
log.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import prowler, seed
from benchmarks.measure import Measured, guarded_env, run
from benchmarks.project import REPO, narrowed_project
from benchmarks.report import Table, ratio
from benchmarks.servers import Moto
from generator.checks import registry

logger = logging.getLogger(__name__)

REGIONS = ["us-east-1", "eu-west-1"]
TRUSTCENTER = REPO / ".venv" / "bin" / "trustcenter"
TIMEOUT = 1800.0
SLOW_CALL = 1.0
"""Seconds past which one call (all its attempts) counts as slow in the notes."""
RESULT_LINE = re.compile(r"(\d+) pass, (\d+) fail, (\d+) error, (\d+) not applicable")
CHECKS_LINE = re.compile(r"results of (\d+) checks")


@dataclass(frozen=True)
class ToolRun:
    """One measured collection and the requests the moto server saw during it."""

    name: str
    measured: Measured
    requests: list[dict[str, Any]]
    outcome: str
    """What the tool reported, in a few words: result or finding counts."""

    run_folder: Path | None = None
    guard_notes: int = 0
    """Name lookups or off-host connections the guard refused during the run."""

    @property
    def first_call(self) -> float | None:
        if not self.requests:
            return None
        first: float = min(request["t"] for request in self.requests)
        return first - self.measured.started

    @property
    def failed_calls(self) -> int:
        return sum(not str(request["status"]).startswith(("2", "3")) for request in self.requests)

    def figures(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.measured.wall, 3),
            "first_call_s": None if self.first_call is None else round(self.first_call, 3),
            "api_calls": len(self.requests),
            "failed_calls": self.failed_calls,
            "peak_mb": None if self.measured.peak_mb is None else round(self.measured.peak_mb, 1),
            "cpu_s": None if self.measured.cpu_s is None else round(self.measured.cpu_s, 2),
            "exit_code": self.measured.returncode,
            "outcome": self.outcome,
            "guard_refusals": self.guard_notes,
        }


def aws_environment(endpoint: str) -> dict[str, str | None]:
    """Fake credentials and an endpoint on this host; nothing of the caller's AWS set-up."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "benchmark",
        "AWS_SECRET_ACCESS_KEY": "benchmark",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        "AWS_ROLE_ARN": None,
        "AWS_WEB_IDENTITY_TOKEN_FILE": None,
        "AWS_REGION": None,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def collect(
    moto: Moto,
    work: Path,
    name: str,
    regions: list[str],
    root: Path = REPO,
    workers: int | None = None,
    endpoint: str | None = None,
) -> ToolRun:
    """Run ``trustcenter collect`` into a fresh folder under ``work`` and measure it."""
    out = work / name / "runs"
    command = [str(TRUSTCENTER), "collect", "--root", str(root), "--regions", ",".join(regions)]
    # One attempt per call, as Prowler runs with --aws-retries-max-attempts 1: moto answers
    # the services it lacks (Artifact, Audit Manager) with HTTP 500, which retries would
    # otherwise spend seconds backing off from, on one side only.
    command += ["--out", str(out), "--max-attempts", "1"]
    if workers is not None:
        command += ["--workers", str(workers)]
    guard_log = work / name / "guard.log"
    env = guarded_env(aws_environment(endpoint or moto.endpoint), guard_log)

    mark = moto.mark()
    measured = run(command, env, REPO, TIMEOUT, work / name)
    requests = moto.since(mark)

    found = RESULT_LINE.search(measured.stdout)
    checks = CHECKS_LINE.search(measured.stdout)
    outcome = (
        f"{checks[1] if checks else '?'} checks: "
        f"{found[1]} pass, {found[2]} fail, {found[3]} error, {found[4]} n/a"
        if found
        else f"exit {measured.returncode}"
    )
    folders = sorted(out.iterdir()) if out.is_dir() else []
    return ToolRun(
        name, measured, requests, outcome, folders[-1] if folders else None, _notes(guard_log)
    )


def run_prowler(moto: Moto, work: Path) -> ToolRun:
    """Run Prowler's mapped checks against the moto server and measure it."""
    output = work / "prowler" / "output"
    guard_log = work / "prowler" / "guard.log"
    env = guarded_env(aws_environment(moto.endpoint), guard_log)

    mark = moto.mark()
    measured = run(prowler.command(REGIONS, output), env, REPO, TIMEOUT, work / "prowler")
    requests = moto.since(mark)
    return ToolRun(
        "prowler", measured, requests, _prowler_outcome(output, measured), None, _notes(guard_log)
    )


def benchmark(moto: Moto, work: Path) -> tuple[list[Table], dict[str, Any], ToolRun]:
    """Seed, warm up, measure the three collections; return tables, figures and the full run."""
    seed.seed(moto.endpoint, REGIONS, seed.MID_SIZE)
    collect(moto, work, "warm-up", REGIONS)

    full = collect(moto, work, "trustcenter-full", REGIONS)
    subset_root = work / "subset-project"
    narrowed_project(subset_root, lambda check: check in prowler.MAPPING)
    subset = collect(moto, work, "trustcenter-mapped", REGIONS, root=subset_root)
    peer = run_prowler(moto, work)

    runs = [full, subset, peer]
    figures: dict[str, Any] = {
        "regions": REGIONS,
        "seed": seed.MID_SIZE.__dict__,
        "prowler_version": prowler.version(),
        "prowler_checks": len(prowler.prowler_checks()),
        "trustcenter_checks_mapped": len(prowler.MAPPING),
        "runs": {tool.name: tool.figures() for tool in runs},
        "ratios_prowler_over_full": _ratios(peer, full),
        "ratios_prowler_over_mapped": _ratios(peer, subset),
        "trustcenter_tail": _tail(full),
        "trustcenter_units": longest_units(full),
    }
    return [_tool_table(runs, figures), _ratio_table(figures)], figures, full


def _tool_table(runs: list[ToolRun], figures: dict[str, Any]) -> Table:
    table = Table(
        "1. Collection on one moto endpoint (us-east-1, eu-west-1; mid-size account)",
        ["tool", "wall s", "1st call s", "CPU s", "API calls", "failed", "peak MB", "outcome"],
    )
    for tool in runs:
        f = tool.figures()
        table.add(
            tool.name,
            f["wall_s"],
            f["first_call_s"],
            f["cpu_s"],
            f["api_calls"],
            f["failed_calls"],
            f["peak_mb"],
            f["outcome"],
        )
    tail = figures["trustcenter_tail"]
    slow = ", ".join(
        f"{call} {facts['seconds']} s (answer {facts['error'] or 'ok'})"
        for call, facts in tail["slow_calls"].items()
    )
    units = "; ".join(
        f"{unit} {facts['seconds']} s, {facts['calls']} exports read"
        for unit, facts in figures["trustcenter_units"].items()
    )
    table.notes += [
        f"full: the shipped checklist; mapped: only checks with a Prowler equivalent; "
        f"prowler {figures['prowler_version']}: {figures['prowler_checks']} equivalent checks.",
        f"trustcenter-full's longest units (region, service): {units}.",
        f"trustcenter-full's calls over {SLOW_CALL:.0f} s, retries included: {slow or 'none'}; "
        f"every result not waiting on them was done {tail['others_done_s']} s after start.",
        "Guard refusals (name lookups or off-host connections): "
        + ", ".join(f"{tool.name} {tool.guard_notes}" for tool in runs)
        + ".",
    ]
    return table


def _ratio_table(figures: dict[str, Any]) -> Table:
    table = Table(
        "1b. Prowler / trustcenter (higher means trustcenter does better)",
        ["compared with", "wall", "1st call", "API calls", "peak memory"],
    )
    for label, key in (("trustcenter-full", "full"), ("trustcenter-mapped", "mapped")):
        r = figures[f"ratios_prowler_over_{key}"]
        table.add(label, r["wall"], r["first_call"], r["api_calls"], r["peak_mb"])
    return table


def _ratios(peer: ToolRun, ours: ToolRun) -> dict[str, float | None]:
    mine, theirs = ours.figures(), peer.figures()
    names = {"wall": "wall_s", "first_call": "first_call_s", "api_calls": "api_calls"}
    names["peak_mb"] = "peak_mb"
    return {
        name: None if (value := ratio(theirs[key], mine[key])) is None else round(value, 2)
        for name, key in names.items()
    }


def _tail(tool: ToolRun) -> dict[str, Any]:
    """The calls that took longer than SLOW_CALL, and when every result not using them was done."""
    if tool.run_folder is None:
        return {"slow_calls": {}, "others_done_s": None}
    folder = tool.run_folder
    exports = [json.loads(p.read_text("utf-8")) for p in (folder / "exports").rglob("*.json")]
    slow = {f"exports/{e['key']}.json": e for e in exports if e["duration"] > SLOW_CALL}
    results = json.loads((folder / "results.json").read_text("utf-8"))["results"]
    others = [r for r in results if not slow.keys() & set(r["exports"])]
    done = max((datetime.fromisoformat(r["finished"]).timestamp() for r in others), default=None)
    return {
        "slow_calls": {
            f"{e['service']}:{e['operation']}": {
                "seconds": round(e["duration"], 2),
                "error": (e.get("error") or {}).get("code"),
            }
            for e in slow.values()
        },
        "others_done_s": None if done is None else round(done - tool.measured.started, 2),
    }


def longest_units(tool: ToolRun, count: int = 3) -> dict[str, dict[str, Any]]:
    """The engine's (region, service) units that finished last: the run's critical path.

    A unit runs its checks one after another in one worker, so its span is the time from its
    first check's start to its last check's finish.
    """
    if tool.run_folder is None:
        return {}
    checks = registry()
    results = json.loads((tool.run_folder / "results.json").read_text("utf-8"))["results"]
    spans: dict[str, list[float]] = {}
    calls: Counter[str] = Counter()
    for result in results:
        unit = f"({result['region']}, {checks[result['check']].service})"
        start = datetime.fromisoformat(result["started"]).timestamp()
        finish = datetime.fromisoformat(result["finished"]).timestamp()
        first, last = spans.get(unit, [start, finish])
        spans[unit] = [min(first, start), max(last, finish)]
        calls[unit] += len(result["exports"])
    longest = sorted(spans.items(), key=lambda item: item[1][1] - item[1][0], reverse=True)
    return {
        unit: {"seconds": round(last - first, 2), "calls": calls[unit]}
        for unit, (first, last) in longest[:count]
    }


def _prowler_outcome(output: Path, measured: Measured) -> str:
    found = sorted(output.glob("*.ocsf.json")) if output.is_dir() else []
    if not found:
        return f"exit {measured.returncode}, no findings file"
    findings = json.loads(found[-1].read_text(encoding="utf-8"))
    counts = Counter(finding.get("status_code", "?") for finding in findings)
    errors = sum(" ERROR: " in line for line in measured.stderr.splitlines())
    passed, failed = counts["PASS"], counts["FAIL"]
    return f"{len(findings)} findings: {passed} pass, {failed} fail; {errors} errors logged"


def _notes(guard_log: Path) -> int:
    if not guard_log.exists():
        return 0
    return len(guard_log.read_text(encoding="utf-8").splitlines())
