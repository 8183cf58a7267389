"""Collect a run: the checks the catalog's controls name, in every enabled region, to a run folder.

The steps: plan (load the catalog and map each named check to its controls), identify the
account the credentials reach, list its enabled regions, run the checks, write the run folder.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from generator import __version__
from generator.aws.clients import ClientFactory, ClientSettings
from generator.aws.engine import Progress, Result, enabled_regions, run_checks
from generator.aws.view import ResponseStore
from generator.checks.base import ApiError, Check
from generator.loader import load_catalog, shown
from generator.runs import RunInfo, run_id, write_run

logger = logging.getLogger(__name__)

NO_CREDENTIALS = (
    "No AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a "
    "profile with --profile (or AWS_PROFILE), or give a read-only role to assume with "
    "--role-arn; --demo needs no credentials."
)


class CollectError(Exception):
    """Collection cannot go ahead: no credentials, an unknown profile, an unreachable account."""


@dataclass(frozen=True)
class Plan:
    """Which checks a collection runs, and which controls each one backs."""

    checks: list[Check]
    controls: dict[str, list[str]]
    """Control ids by check id, in catalog order."""

    order: list[str]
    """Ids of the controls that name checks, in catalog order, for the summary."""


@dataclass(frozen=True)
class Outcome:
    """A complete run folder and what it holds."""

    path: Path
    info: RunInfo
    results: list[Result]


def plan(root: Path, known: Mapping[str, Check]) -> Plan:
    """Load the catalog under ``root`` and plan its checks; raise InputError or CollectError."""
    catalog = load_catalog(root, known)

    controls: dict[str, list[str]] = {}
    for control in catalog.controls:
        for check in control.checks:
            controls.setdefault(check, []).append(control.id)
    if not controls:
        raise CollectError(
            "No control names an automated check, so there is nothing to collect; add check "
            "ids to the controls' checks: lists (trustcenter checks lists them)."
        )

    order = [control.id for control in catalog.controls if control.checks]
    return Plan([known[check] for check in sorted(controls)], controls, order)


def collect_run(
    planned: Plan,
    settings: ClientSettings,
    out: Path,
    regions: Sequence[str] | None = None,
    workers: int = 16,
    demo: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Run the planned checks in the credentials' account and write a run folder under ``out``."""
    started = datetime.now(UTC)
    factory = _factory(settings)
    account = _account(factory)

    store = ResponseStore(factory)
    covered = _regions(factory, regions, store, account)

    results = run_checks(
        planned.checks, planned.controls, store, account, covered, workers, progress
    )

    info = RunInfo(
        id=run_id(started),
        started=started,
        finished=datetime.now(UTC),
        tool_version=__version__,
        accounts=[account],
        regions=covered,
        demo=demo,
        checks=len(planned.checks),
    )
    try:
        path = write_run(out, info, results, store.exports())
    except OSError as error:
        raise CollectError(
            f"Could not write the run folder under {shown(out)}: {error}."
        ) from error
    # The writer adds a suffix to the id when another run started in the same second.
    return Outcome(path, replace(info, id=path.name), results)


def _factory(settings: ClientSettings) -> ClientFactory:
    try:
        return ClientFactory(settings)
    except ProfileNotFound as error:
        raise CollectError(
            f"The AWS profile {settings.profile!r} is not configured: {error}."
        ) from error


def _account(factory: ClientFactory) -> str:
    try:
        return factory.account_id()
    except NoCredentialsError as error:
        raise CollectError(NO_CREDENTIALS) from error
    except (BotoCoreError, ClientError) as error:
        raise CollectError(f"Could not identify the AWS account: {error}.") from error


def _regions(
    factory: ClientFactory, wanted: Sequence[str] | None, store: ResponseStore, account: str
) -> list[str]:
    try:
        covered = enabled_regions(factory, wanted, store)
    except ApiError as error:
        # A run that silently covered fewer regions would look complete.
        raise CollectError(f"Could not list the regions of account {account}: {error}.") from error

    if wanted and not covered:
        raise CollectError(
            f"None of the regions asked for ({', '.join(wanted)}) is enabled in account {account}."
        )
    logger.info("covering account=%s regions=%s", account, ",".join(covered))
    return covered
