"""Benchmark 2: ``trustcenter collect`` over the 17 default regions with AWS-like latency.

A fresh moto server is seeded in all 17 regions that every AWS account has enabled by
default; the collection reaches it through a proxy that holds each request for a fixed
delay. The lower bound on wall time is calls x delay / workers: the time the requests take
if the engine kept every worker busy from the first call to the last.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from benchmarks import seed
from benchmarks.collection import collect, longest_units
from benchmarks.proxy import latency_proxy
from benchmarks.report import Table, ratio
from benchmarks.servers import Moto, free_port

logger = logging.getLogger(__name__)

DEFAULT_REGIONS = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
]
"""The commercial regions enabled by default in every account (no opt-in needed)."""

HOME = "us-east-1"
DELAY = 0.040
WORKERS = 16
"""The engine's default --workers, passed explicitly so the bound uses the value in force."""


def benchmark(moto: Moto, work: Path) -> tuple[list[Table], dict[str, Any]]:
    """Seed 17 regions, warm moto up directly, then measure a collection through the proxy."""
    regions = [HOME, *(region for region in DEFAULT_REGIONS if region != HOME)]
    seed.seed(moto.endpoint, regions, seed.PER_REGION)
    collect(moto, work, "warm-up-17", regions, workers=WORKERS)

    port = free_port()
    with latency_proxy(moto.endpoint, port, DELAY) as proxy:
        tool = collect(
            moto,
            work,
            "trustcenter-17-regions",
            regions,
            workers=WORKERS,
            endpoint=f"http://127.0.0.1:{port}",
        )
        forwarded = proxy.forwarded

    calls = len(tool.requests)
    bound = calls * DELAY / WORKERS
    figures = {
        "regions": len(regions),
        "delay_ms": DELAY * 1000,
        "workers": WORKERS,
        "seed_per_region": seed.PER_REGION.__dict__,
        "api_calls": calls,
        "proxied_requests": forwarded,
        "failed_calls": tool.failed_calls,
        "lower_bound_s": round(bound, 2),
        "wall_s": round(tool.measured.wall, 2),
        "wall_over_bound": None if (r := ratio(tool.measured.wall, bound)) is None else round(r, 2),
        "peak_mb": tool.measured.peak_mb,
        "outcome": tool.outcome,
        "exit_code": tool.measured.returncode,
        "longest_units": longest_units(tool),
    }
    return [_table(figures)], figures


def _table(figures: dict[str, Any]) -> Table:
    table = Table(
        f"2. Collection over {figures['regions']} regions, {figures['delay_ms']:.0f} ms per "
        f"request, {figures['workers']} workers",
        ["API calls", "lower bound s", "wall s", "wall / bound", "peak MB", "outcome"],
    )
    table.add(
        figures["api_calls"],
        figures["lower_bound_s"],
        figures["wall_s"],
        figures["wall_over_bound"],
        figures["peak_mb"],
        figures["outcome"],
    )
    table.notes.append("lower bound = API calls x delay / workers; target: wall within 2x of it.")
    units = "; ".join(
        f"{unit} {facts['seconds']} s, {facts['calls']} exports read"
        for unit, facts in figures["longest_units"].items()
    )
    table.notes.append(f"longest units (region, service), each run by one worker: {units}.")
    return table
