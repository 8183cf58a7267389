"""Run the benchmarks, print one table each and a summary, and write results/latest.json.

Usage: ``benchmarks/run [--only NAMES] [--sizes LIST] [--keep]`` from the repository root
(the script runs ``.venv/bin/python -m benchmarks``). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import build, collection, economy, latency, prowler
from benchmarks.report import Table, write_json
from benchmarks.servers import moto_server

logger = logging.getLogger("benchmarks")

NAMES = ("collection", "latency", "economy", "build")
LINEAR = 1.1
"""The largest growth exponent (time ~ controls^k) still read as linear."""

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def main() -> int:
    args = _arguments()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    logging.getLogger("generator").setLevel(logging.WARNING)

    only = set(args.only.split(",")) if args.only else set(NAMES)
    unknown = only - set(NAMES)
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(sorted(unknown))}; pick from {', '.join(NAMES)}.")
        return 2
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if not set(sizes) <= set(build.SIZES):
        print(f"Catalog sizes are some of {', '.join(map(str, build.SIZES))}, not {args.sizes}.")
        return 2
    if "economy" in only:
        only.add("collection")  # the economy is read from the measured collection

    work = Path(tempfile.mkdtemp(prefix="trustcenter-bench-"))
    figures: dict[str, Any] = {"machine": _machine(), "started": datetime.now(UTC).isoformat()}
    tables: list[Table] = []
    failed: list[str] = []
    started = time.perf_counter()
    try:
        if "collection" in only:
            prowler.ensure_installed()
            _step("collection", lambda: _collection(work, only, tables, figures), failed)
        if "latency" in only:
            _step("latency", lambda: _latency(work, tables, figures), failed)
        if "build" in only:
            _step("build", lambda: _build(work, sizes, tables, figures), failed)
    finally:
        if args.keep:
            print(f"Work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["failed"] = failed
    summary = summarise(figures)
    tables.append(summary)
    figures["summary"] = summary.rows
    for table in tables:
        print(table.render())
    write_json(RESULTS, figures)
    print(f"Figures written to {RESULTS}")
    if failed:
        print(f"These benchmarks failed (see the log above): {', '.join(failed)}.")
        return 1
    return 0


def _collection(work: Path, only: set[str], tables: list[Table], figures: dict[str, Any]) -> None:
    with moto_server(work / "moto-collection.log") as moto:
        made, figures["collection"], full = collection.benchmark(moto, work / "collection")
        tables += made
    if "economy" in only:
        made, figures["economy"] = economy.benchmark(full)
        tables += made


def _latency(work: Path, tables: list[Table], figures: dict[str, Any]) -> None:
    with moto_server(work / "moto-latency.log") as moto:
        made, figures["latency"] = latency.benchmark(moto, work / "latency")
        tables += made


def _build(work: Path, sizes: list[int], tables: list[Table], figures: dict[str, Any]) -> None:
    made, figures["build"] = build.benchmark(work / "build", sizes)
    tables += made


def summarise(figures: dict[str, Any]) -> Table:
    """Return the summary table: each target, the figure measured, and whether it was met."""
    table = Table("Summary against the targets", ["target", "measured", "verdict"])

    def target(name: str, measured: str, met: bool) -> None:
        table.add(name, measured, "met" if met else "MISSED")

    if "collection" in figures:
        runs = figures["collection"]["runs"]
        wall = figures["collection"]["ratios_prowler_over_full"]["wall"]
        full, peer = runs["trustcenter-full"], runs["prowler"]
        target(">=10x faster than Prowler (wall)", f"{wall}x", wall is not None and wall >= 10)
        calls = f"{full['api_calls']} vs {peer['api_calls']}"
        target("fewer API calls than Prowler", calls, full["api_calls"] < peer["api_calls"])
        peak = full["peak_mb"]
        target("collect peak memory < 100 MB", f"{peak} MB", peak is not None and peak < 100)
    if "latency" in figures:
        over = figures["latency"]["wall_over_bound"]
        met = over is not None and over <= 2
        target("17 regions: wall within 2x of lower bound", f"{over}x", met)
    if "economy" in figures:
        economy_figures = figures["economy"]
        dup = economy_figures["duplicate_requests"]
        shown = (
            f"{dup} ({economy_figures['retry_duplicates']} retries after 5xx, "
            f"{economy_figures['answered_duplicates']} repeats)"
        )
        target("no duplicate calls", shown, dup == 0)
    if "build" in figures:
        sizes = figures["build"]["sizes"]
        small, large = min(sizes, key=int), max(sizes, key=int)
        seconds = sizes[small]["wall_s"]
        met = sizes[small]["exit_code"] == 0 and seconds < 5
        target(f"{small} controls, both sites < 5 s", f"{seconds} s", met)
        exponents = figures["build"]["scaling"]["exponent"]
        worst = max(exponents.values()) if exponents else None
        met = worst is not None and worst <= LINEAR
        target(f"build time linear up to {large} controls", f"max exponent {worst}", met)
    return table


def _step(name: str, body: Callable[[], None], failed: list[str]) -> None:
    """Run one benchmark; a failure is reported and the others still run."""
    clock = time.perf_counter()
    logger.info("benchmark %s: starting", name)
    try:
        body()
    except Exception:
        logger.exception("benchmark %s failed", name)
        failed.append(name)
        return
    logger.info("benchmark %s: done in %.0f s", name, time.perf_counter() - clock)


def _machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(NAMES)}")
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in build.SIZES),
        help="catalog sizes for the build benchmark, from 67, 670, 6700",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder for inspection")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
