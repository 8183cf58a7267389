"""Merge shard runs: the run folders CI jobs collected, one shard of an Organization each.

A merged run is a new run folder like any other (written whole or not at all), holding every
shard's results and copies of its exports, and recording in ``shards`` each shard run's id and
the SHA-256 of its manifest.json, which fixes every file that run held. Only verified shard
runs of one Organization, split the same way by one trustcenter version, with no shard or
account twice, are merged; a missing shard is allowed and recorded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generator.aws.engine import Result
from generator.aws.organization import shard_of
from generator.loader import shown
from generator.runs import (
    Run,
    RunError,
    RunInfo,
    ShardRun,
    Shards,
    manifest_sha256,
    read_run,
    run_id,
    verify_run,
    write_merged_run,
)

logger = logging.getLogger(__name__)


class MergeError(Exception):
    """The runs cannot be merged; nothing was written. Carries one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{len(problems)} {noun}")


@dataclass(frozen=True)
class Merged:
    """A complete merged run folder and what it holds."""

    path: Path
    info: RunInfo
    shards: Shards
    """The shard runs it joins (also in ``info``), and the shards it lacks."""

    results: list[Result]


def merge_runs(folders: Sequence[Path], out: Path) -> Merged:
    """Merge the shard runs in ``folders`` into a new run folder under ``out``.

    Raises :class:`MergeError` naming every reason the runs cannot be merged.
    """
    runs, problems = _read(folders)
    problems += refusals(runs)
    if problems:
        raise MergeError(problems)

    shards = sorted(runs, key=_shard_index)
    info, joined = merged_info(shards)
    results = sorted(
        (result for run in shards for result in run.results),
        key=lambda r: (r.check, r.account, r.region),
    )
    try:
        path = write_merged_run(out, info, results, [run.path for run in shards])
    except (OSError, RunError) as error:
        raise MergeError(
            [f"Could not write the merged run under {shown(out)}: {error}."]
        ) from error

    logger.info("merged runs=%d into %s missing shards=%s", len(shards), path, joined.missing)
    return Merged(path, replace(info, id=path.name), joined, results)


def refusals(runs: Sequence[Run]) -> list[str]:
    """Return one sentence for each reason the read ``runs`` cannot be merged."""
    problems = [
        f"Run {run.info.id} was not collected with --shard, so it is not a shard to merge."
        for run in runs
        if run.info.shard is None
    ]
    shards = [run for run in runs if run.info.shard is not None]

    organizations = _groups(shards, lambda run: run.info.organization)
    if len(organizations) > 1:
        problems.append(f"The runs come from different Organizations: {_listed(organizations)}.")

    counts = _groups(shards, _shard_count)
    if len(counts) > 1:
        problems.append(
            f"The runs split the accounts into different numbers of shards: {_listed(counts)}."
        )

    indexes = _repeated(_groups(shards, lambda run: str(run.info.shard)))
    if indexes:
        problems.append(f"The same shard appears in more than one run: {_listed(indexes)}.")

    accounts = _repeated(_groups_of_many(shards, lambda run: run.info.accounts))
    if accounts:
        problems.append(f"The same account appears in more than one run: {_listed(accounts)}.")

    versions = _groups(shards, lambda run: run.info.tool_version)
    if len(versions) > 1:
        problems.append(
            f"The runs were collected by different trustcenter versions: {_listed(versions)}."
        )

    # Shards of one night run the same catalog; a run with other checks is another night's.
    checks = _groups(shards, lambda run: run.info.checks)
    if len(checks) > 1:
        problems.append(f"The runs ran different numbers of checks: {_listed(checks)}.")

    misplaced = [
        f"{account} (run {run.info.id}, shard {run.info.shard})"
        for run in shards
        if run.info.shard is not None
        for account in run.info.accounts
        if shard_of(account, run.info.shard.count) != run.info.shard.index
    ]
    if misplaced:
        problems.append(
            "These accounts do not belong to the shard that collected them: "
            f"{', '.join(misplaced)}."
        )
    return problems


def merged_info(shards: Sequence[Run]) -> tuple[RunInfo, Shards]:
    """Return what the merged run of ``shards`` (sorted by shard index) covers, and joins."""
    started = min(run.info.started for run in shards)
    joined = Shards(
        count=_shard_count(shards[0]),
        runs=[
            ShardRun(_shard_index(run), run.info.id, manifest_sha256(run.path)) for run in shards
        ],
        missing=_missing(shards),
    )
    info = RunInfo(
        id=run_id(started),
        started=started,
        finished=max(run.info.finished for run in shards),
        tool_version=shards[0].info.tool_version,
        accounts=sorted({account for run in shards for account in run.info.accounts}),
        regions=list(dict.fromkeys(region for run in shards for region in run.info.regions)),
        demo=any(run.info.demo for run in shards),
        checks=max(run.info.checks for run in shards),
        organization=shards[0].info.organization,
        shards=joined,
    )
    return info, joined


def _read(folders: Sequence[Path]) -> tuple[list[Run], list[str]]:
    runs: list[Run] = []
    problems: list[str] = []
    for folder in folders:
        differences = verify_run(folder)
        if differences:
            problems.append(
                f"{shown(folder)} does not match its manifest ({differences[0]}, "
                f"{len(differences)} difference(s) in all), so it cannot be merged."
            )
            continue
        try:
            runs.append(read_run(folder))
        except RunError as error:
            problems.append(f"{error}.")
    return runs, problems


def _shard_index(run: Run) -> int:
    return run.info.shard.index if run.info.shard else 0


def _shard_count(run: Run) -> int:
    return run.info.shard.count if run.info.shard else 0


def _missing(shards: Sequence[Run]) -> list[int]:
    present = {_shard_index(run) for run in shards}
    return [index for index in range(1, _shard_count(shards[0]) + 1) if index not in present]


def _groups(runs: Sequence[Run], key: Callable[[Run], Hashable]) -> dict[str, list[str]]:
    """Run ids by the value of ``key``, both in the order met."""
    return _groups_of_many(runs, lambda run: [key(run)])


def _groups_of_many(
    runs: Sequence[Run], keys: Callable[[Run], Sequence[Hashable]]
) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for run in runs:
        for key in keys(run):
            groups[str(key)].append(run.info.id)
    return dict(groups)


def _repeated(groups: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: ids for key, ids in groups.items() if len(ids) > 1}


def _listed(groups: dict[str, list[str]]) -> str:
    """``key (run a, b)`` for each group, joined: the evidence a refusal sentence quotes."""
    return ", ".join(
        f"{key} ({'runs' if len(ids) > 1 else 'run'} {', '.join(ids)})"
        for key, ids in groups.items()
    )
