"""Run folders: one immutable folder per collection, with results, raw exports and a manifest.

A run folder is ``<runs root>/<run id>/`` holding ``results.json`` (schema:
``generator/schemas/results.schema.json``), ``exports/<account>/<region>/<service>/
<Operation>[-<params hash>].json`` (one raw API response each) and ``manifest.json`` (the
SHA-256 of every other file). It is written into a hidden ``.<run id>.partial`` sibling,
flushed to disk, and renamed into place last, so a folder with a run id as its name is always
complete; readers skip the hidden ones an interrupted run leaves behind. A merged run (shard
runs of an Organization joined) is written the same way, its exports copied byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from generator.aws.engine import Result
from generator.aws.view import Export

logger = logging.getLogger(__name__)

RUNS_DIR = Path("evidence") / "runs"
"""Where runs go under the project root unless told otherwise."""

RESULTS_FILE = "results.json"
MANIFEST_FILE = "manifest.json"
EXPORTS_DIR = "exports"
PARTIAL_SUFFIX = ".partial"
FORMAT = 1

RUN_ID_FORMAT = "%Y-%m-%dT%H-%M-%SZ"
RUN_ID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z(-\d+)?$")


@dataclass(frozen=True)
class Shard:
    """Which of an Organization's shards a run collected: shard ``index`` of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class ShardRun:
    """One shard run a merged run was made from."""

    index: int
    run_id: str
    manifest_sha256: str
    """The SHA-256 of the shard run's manifest.json, which fixes every file it held."""


@dataclass(frozen=True)
class Shards:
    """The shard runs a merged run joins, and the shards it lacks."""

    count: int
    runs: list[ShardRun]
    missing: list[int]
    """Indexes of the shards no merged run collected."""


@dataclass(frozen=True)
class RunInfo:
    """What a run covered and when, as ``results.json`` states it."""

    id: str
    """The run folder's name: the UTC start time, e.g. ``2026-12-03T18-40-05Z``."""

    started: datetime
    finished: datetime
    tool_version: str
    accounts: list[str]
    regions: list[str]
    demo: bool
    """True when collected from the demo account rather than AWS."""

    checks: int
    """How many distinct checks ran."""

    organization: str | None = None
    """The AWS Organization's id for a run over its accounts (``--org``), else None."""

    shard: Shard | None = None
    """The shard of the Organization's accounts the run collected, or None for all of them."""

    shards: Shards | None = None
    """For a merged run, the shard runs it joins; None for a run collected directly."""


@dataclass(frozen=True)
class Run:
    """A complete run folder read back."""

    path: Path
    info: RunInfo
    results: list[Result]
    """Each result's ``exports`` are paths relative to ``path``."""


class RunError(Exception):
    """A run folder cannot be read: missing, unreadable, or not what the schema describes."""


def run_id(started: datetime) -> str:
    """Return the run id of a run started at ``started`` (an aware datetime)."""
    return started.astimezone(UTC).strftime(RUN_ID_FORMAT)


def export_path(key: str) -> str:
    """Return where the export with ``key`` lives, relative to its run folder."""
    return f"{EXPORTS_DIR}/{key}.json"


def write_run(
    out: Path, info: RunInfo, results: Sequence[Result], exports: Sequence[Export]
) -> Path:
    """Write a complete run folder under ``out`` and return its path.

    Nothing with a run id as its name appears until every file is on disk. When ``info.id`` is
    taken (two runs in one second), a ``-2``, ``-3``... suffix makes it unique.
    """

    def write_exports(folder: Path) -> list[Path]:
        return [_write_json(folder / export_path(e.key), e.to_json()) for e in exports]

    return _publish(out, info, results, write_exports)


def write_merged_run(
    out: Path, info: RunInfo, results: Sequence[Result], sources: Sequence[Path]
) -> Path:
    """Write a run folder of ``results`` read back from the run folders ``sources``.

    Every export file of every source is copied byte for byte to the same relative path,
    which must not be taken twice. Written whole or not at all, as :func:`write_run` does.
    """
    keyed = [replace(r, exports=[_export_key(path) for path in r.exports]) for r in results]

    def copy_exports(folder: Path) -> list[Path]:
        return [
            _copy(file, folder / file.relative_to(source))
            for source in sources
            for file in sorted(_files(source / EXPORTS_DIR))
        ]

    return _publish(out, info, keyed, copy_exports)


def results_json(info: RunInfo, results: Sequence[Result]) -> dict[str, Any]:
    """Return the content of ``results.json``; raise RunError if it breaks the schema."""
    data = {
        "format": FORMAT,
        "run_id": info.id,
        "started": info.started.isoformat(),
        "finished": info.finished.isoformat(),
        "tool_version": info.tool_version,
        "accounts": info.accounts,
        "regions": info.regions,
        "demo": info.demo,
        "checks": info.checks,
        "organization": info.organization,
        "shard": None if info.shard is None else asdict(info.shard),
        "shards": None if info.shards is None else asdict(info.shards),
        "results": [_stored(result) for result in results],
    }
    problems = schema_problems(data)
    if problems:
        raise RunError(f"the results break their schema: {problems[0]}")
    return data


def schema_problems(data: Any) -> list[str]:
    """Return each way ``data`` departs from the results schema, as ``path: message``."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors]


def latest_run(root: Path) -> Path | None:
    """Return the newest complete run folder under ``root``, or None when there is none."""
    runs = sorted(_run_folders(root), key=lambda path: _id_order(path.name))
    return runs[-1] if runs else None


def read_run(path: Path) -> Run:
    """Read the run folder at ``path``; raise RunError when it is not a complete valid run."""
    try:
        data = json.loads((path / RESULTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunError(f"{path} holds no readable {RESULTS_FILE}: {error}") from error

    problems = schema_problems(data)
    if problems:
        raise RunError(f"{path / RESULTS_FILE} breaks the results schema: {problems[0]}")

    info = RunInfo(
        id=data["run_id"],
        started=datetime.fromisoformat(data["started"]),
        finished=datetime.fromisoformat(data["finished"]),
        tool_version=data["tool_version"],
        accounts=list(data["accounts"]),
        regions=list(data["regions"]),
        demo=data["demo"],
        checks=data["checks"],
        # Runs written before Organizations were collected lack these three.
        organization=data.get("organization"),
        shard=_shard(data.get("shard")),
        shards=_shards(data.get("shards")),
    )
    return Run(path, info, [Result.from_json(result) for result in data["results"]])


def verify_run(path: Path) -> list[str]:
    """Return each difference between the run folder and its manifest; empty when intact."""
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        listed: dict[str, str] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"{MANIFEST_FILE} is missing or unreadable: {error}"]

    present = {
        file.relative_to(path).as_posix(): file
        for file in _files(path)
        if file.name != MANIFEST_FILE or file.parent != path
    }
    problems = [f"{name} is missing" for name in sorted(listed.keys() - present.keys())]
    problems += [f"{name} was added" for name in sorted(present.keys() - listed.keys())]
    problems += [
        f"{name} was changed"
        for name in sorted(listed.keys() & present.keys())
        if _sha256(present[name]) != listed[name]
    ]
    return problems


def verify_results(path: Path) -> list[str]:
    """Check the run's results.json alone against its manifest; empty when it matches.

    For a run read only for its results (an earlier run in the history), this is all the
    evidence used, and it costs one file's hash rather than the whole folder's.
    """
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        listed = manifest["files"][RESULTS_FILE]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"{MANIFEST_FILE} is missing, unreadable or does not list {RESULTS_FILE}: {error}"]
    if not (path / RESULTS_FILE).is_file():
        return [f"{RESULTS_FILE} is missing"]
    if _sha256(path / RESULTS_FILE) != listed:
        return [f"{RESULTS_FILE} was changed"]
    return []


def manifest_sha256(path: Path) -> str:
    """Return the SHA-256 of the run folder's manifest.json, which fixes all its other files."""
    return _sha256(path / MANIFEST_FILE)


def _publish(
    out: Path, info: RunInfo, results: Sequence[Result], fill: Callable[[Path], list[Path]]
) -> Path:
    """Write a run folder whose exports ``fill`` puts in the folder it is given."""
    out.mkdir(parents=True, exist_ok=True)
    info, partial = _reserve(out, info)
    final = out / info.id
    try:
        exports = fill(partial)
        stored = _write_json(partial / RESULTS_FILE, results_json(info, results))
        _write_json(partial / MANIFEST_FILE, _manifest(partial, [*exports, stored]))
        _sync_folders(partial)

        partial.rename(final)
        _sync(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise

    logger.info("wrote run %s: results=%d exports=%d", final, len(results), len(exports))
    return final


def _stored(result: Result) -> dict[str, Any]:
    return replace(result, exports=[export_path(key) for key in result.exports]).to_json()


def _export_key(path: str) -> str:
    return path.removeprefix(f"{EXPORTS_DIR}/").removesuffix(".json")


def _shard(data: dict[str, Any] | None) -> Shard | None:
    return None if data is None else Shard(data["index"], data["count"])


def _shards(data: dict[str, Any] | None) -> Shards | None:
    if data is None:
        return None
    runs = [ShardRun(run["index"], run["run_id"], run["manifest_sha256"]) for run in data["runs"]]
    return Shards(data["count"], runs, list(data["missing"]))


def _reserve(out: Path, info: RunInfo) -> tuple[RunInfo, Path]:
    """Claim a run id in ``out`` by creating its partial folder; return the id's info and it."""
    suffix = 1
    while True:
        candidate = info.id if suffix == 1 else f"{info.id}-{suffix}"
        partial = out / f".{candidate}{PARTIAL_SUFFIX}"
        if not (out / candidate).exists():
            try:
                partial.mkdir()
            except FileExistsError:
                pass
            else:
                return replace(info, id=candidate), partial
        suffix += 1


def _write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, ensure_ascii=False)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())
    return path


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # "x": two sources with the same export would otherwise lose one of them silently.
    with source.open("rb") as reading, target.open("xb") as writing:
        shutil.copyfileobj(reading, writing)
        writing.flush()
        os.fsync(writing.fileno())
    return target


def _manifest(folder: Path, files: Sequence[Path]) -> dict[str, Any]:
    hashes = {file.relative_to(folder).as_posix(): _sha256(file) for file in files}
    return {"algorithm": "sha256", "files": dict(sorted(hashes.items()))}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _sync_folders(folder: Path) -> None:
    # A renamed folder is only durable once the entries inside it are: sync deepest first.
    folders = sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
    for each in [*folders, folder]:
        _sync(each)


def _sync(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _files(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def _run_folders(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return iter(())
    return (path for path in root.iterdir() if path.is_dir() and RUN_ID.match(path.name))


def _id_order(name: str) -> tuple[str, int]:
    stamp, _, suffix = name.partition("Z-")
    return (stamp if suffix else name.removesuffix("Z"), int(suffix or 1))


@cache
def _validator() -> Draft202012Validator:
    text = resources.files("generator").joinpath("schemas/results.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))
