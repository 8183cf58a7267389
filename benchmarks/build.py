"""Benchmark 4: ``trustcenter build`` over synthetic catalogs of 67, 670 and 6,700 controls.

Each catalog clones the shipped controls under new ids (6.1.4 -> 6.1.104, 6.1.204...) in a
throw-away project folder, with a synthetic run of results written by the project's own run
writer. The build's wall time and peak memory are measured, and split into MkDocs' share
(the per-site seconds the build prints) and the generator's (the rest, start-up included).
The 67-control catalog is also built with 1 and with 30 runs in its history.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.measure import guarded_env, run
from benchmarks.project import REPO, cloned_project
from benchmarks.report import Table
from generator import __version__
from generator.aws.engine import Result, ResultStatus
from generator.aws.view import Export, export_key
from generator.checks import registry
from generator.checks.base import GLOBAL, Finding, FindingStatus
from generator.loader import load_catalog
from generator.runs import RUNS_DIR, RunInfo, run_id, write_run

logger = logging.getLogger(__name__)

TRUSTCENTER = REPO / ".venv" / "bin" / "trustcenter"
SIZES = {67: 1, 670: 10, 6700: 100}
"""Controls in the catalog -> copies of each shipped control."""

HISTORY = (1, 30)
ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
FINDINGS_PER_RESULT = 4
TIMEOUT = 3600.0
MKDOCS_SECONDS = re.compile(r"^\s+(\w+)\s.*\(MkDocs ([\d.]+) s\)$", re.MULTILINE)


def benchmark(
    work: Path, sizes: Sequence[int] = tuple(SIZES)
) -> tuple[list[Table], dict[str, Any]]:
    """Build each catalog size with one run, then the smallest with 30 runs of history."""
    builds: dict[str, dict[str, Any]] = {}
    for size in sizes:
        project = work / f"catalog-{size}"
        cloned_project(project, SIZES[size])
        synthetic_runs(project, 1)
        builds[str(size)] = _build(project, work / f"build-{size}")

    smallest = min(sizes)
    history = {"1": builds[str(smallest)]}
    project = work / f"catalog-{smallest}-history"
    cloned_project(project, SIZES[smallest])
    synthetic_runs(project, max(HISTORY))
    history[str(max(HISTORY))] = _build(project, work / f"build-{smallest}-history")

    figures = {"sizes": builds, "history": history, "scaling": _scaling(builds)}
    return [_size_table(figures), _history_table(figures, smallest)], figures


def synthetic_runs(project: Path, count: int) -> None:
    """Write ``count`` run folders an hour apart, the latest now, for the project's catalog."""
    checks = registry()
    catalog = load_catalog(project, checks)
    controls: dict[str, list[str]] = {}
    for control in catalog.controls:
        for name in control.checks:
            controls.setdefault(name, []).append(control.id)

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for age in range(count - 1, -1, -1):
        started = now - dt.timedelta(hours=age)
        pairs = [
            (name, region)
            for name in sorted(controls)
            for region in ([GLOBAL] if checks[name].scope == "global" else REGIONS)
        ]
        exports = [_export(checks[name].service, name, region, started) for name, region in pairs]
        results = [
            _result(name, controls[name], region, started, age, export.key)
            for (name, region), export in zip(pairs, exports, strict=True)
        ]
        info = RunInfo(
            id=run_id(started),
            started=started,
            finished=started + dt.timedelta(minutes=1),
            tool_version=__version__,
            accounts=[ACCOUNT],
            regions=REGIONS,
            demo=False,
            checks=len(controls),
        )
        write_run(project / RUNS_DIR, info, results, exports)


def _export(service: str, name: str, region: str, started: dt.datetime) -> Export:
    """One small raw response per result, as a real run keeps for each call."""
    operation = "DescribeSynthetic"
    return Export(
        key=export_key(ACCOUNT, region, service, operation, {"Check": name}),
        account=ACCOUNT,
        region=region,
        service=service,
        operation=operation,
        params={"Check": name},
        started=started,
        duration=0.05,
        response={"Items": [{"Id": f"{name}-{number}"} for number in range(FINDINGS_PER_RESULT)]},
    )


def _result(
    name: str, controls: list[str], region: str, started: dt.datetime, age: int, export: str
) -> Result:
    # Results flip between runs so that the history and its changes have something to show.
    failing = (zlib.crc32(name.encode()) + age) % 3 == 0
    findings = [
        Finding(
            f"arn:aws:synthetic:{region}:{ACCOUNT}:resource/{name}-{number}",
            FindingStatus.FAIL if failing and number == 0 else FindingStatus.PASS,
            f"Synthetic resource {number} of {name} {'fails' if failing else 'passes'}.",
        )
        for number in range(FINDINGS_PER_RESULT)
    ]
    return Result(
        check=name,
        controls=controls,
        account=ACCOUNT,
        region=region,
        status=ResultStatus.FAIL if failing else ResultStatus.PASS,
        reason="Synthetic result.",
        findings=findings,
        exports=[export],
        started=started,
        finished=started + dt.timedelta(seconds=1),
    )


def _build(project: Path, scratch: Path) -> dict[str, Any]:
    command = [
        str(TRUSTCENTER),
        "build",
        "--root",
        str(project),
        "--site-dir",
        str(project / "site"),
    ]
    env = guarded_env({}, scratch / "guard.log")
    measured = run(command, env, REPO, TIMEOUT, scratch)
    mkdocs = {site: float(seconds) for site, seconds in MKDOCS_SECONDS.findall(measured.stdout)}
    if measured.returncode != 0:
        logger.error("build of %s failed: %s", project.name, measured.stderr[-2000:])
    return {
        "wall_s": round(measured.wall, 2),
        "peak_mb": None if measured.peak_mb is None else round(measured.peak_mb, 1),
        "cpu_s": measured.cpu_s,
        "mkdocs_s": mkdocs,
        "generator_s": round(measured.wall - sum(mkdocs.values()), 2),
        "exit_code": measured.returncode,
        "pages": sum(1 for _ in (project / "site").rglob("*.html")),
    }


def _scaling(builds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per-control time, and the exponent k in time ~ controls^k between neighbouring sizes."""
    sizes = sorted(int(size) for size in builds)
    per_control = {str(size): round(builds[str(size)]["wall_s"] / size * 1000, 2) for size in sizes}
    exponents = {}
    for small, large in itertools.pairwise(sizes):
        t_small, t_large = builds[str(small)]["wall_s"], builds[str(large)]["wall_s"]
        exponents[f"{small}->{large}"] = round(
            math.log(t_large / t_small) / math.log(large / small), 2
        )
    return {"ms_per_control": per_control, "exponent": exponents}


def _size_table(figures: dict[str, Any]) -> Table:
    table = Table(
        "4. trustcenter build, both sites, one run",
        [
            "controls",
            "wall s",
            "generator s",
            "MkDocs internal s",
            "MkDocs public s",
            "peak MB",
            "pages",
            "ms/control",
        ],
    )
    for size, build in sorted(figures["sizes"].items(), key=lambda item: int(item[0])):
        table.add(
            int(size),
            build["wall_s"],
            build["generator_s"],
            build["mkdocs_s"].get("internal"),
            build["mkdocs_s"].get("public"),
            build["peak_mb"],
            build["pages"],
            figures["scaling"]["ms_per_control"][size],
        )
    exponents = ", ".join(f"{k}: {v}" for k, v in figures["scaling"]["exponent"].items())
    table.notes.append(f"growth exponent k in time ~ controls^k (1.0 is linear): {exponents}")
    return table


def _history_table(figures: dict[str, Any], size: int) -> Table:
    table = Table(
        f"4b. trustcenter build of {size} controls by runs in history",
        ["runs", "wall s", "generator s", "peak MB"],
    )
    for runs, build in sorted(figures["history"].items(), key=lambda item: int(item[0])):
        table.add(int(runs), build["wall_s"], build["generator_s"], build["peak_mb"])
    return table
