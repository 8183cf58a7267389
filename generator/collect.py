"""Collect a run: the checks the catalog's controls name, in every enabled region, to a run folder.

The steps: plan (load the catalog and map each named check to its controls), identify the
account the credentials reach, list its enabled regions, run the checks, write the run folder.
Over an Organization (``collect_org_run``), the run lists the Organization's active accounts,
keeps those asked for and in its shard, and runs the checks in each account through its role.
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
from generator.aws.engine import (
    Collection,
    Progress,
    Result,
    UnknownRegions,
    enabled_regions,
    not_enabled,
    run_checks,
    unknown_regions,
)
from generator.aws.heap import share_one_heap
from generator.aws.organization import (
    Organization,
    UnknownAccounts,
    choose,
    collect_accounts,
    describe_organization,
    home_regions,
    role_arn_template,
)
from generator.aws.view import Export, ResponseStore
from generator.checks.base import ApiError, Check
from generator.loader import load_catalog, shown
from generator.runs import RunInfo, Shard, run_id, write_run

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
class OrgScope:
    """Which accounts of an Organization a run covers, and how it reaches them."""

    role_name: str
    """The read-only role assumed in each account (the starting account is read directly)."""

    accounts: list[str] | None = None
    """Only these account ids; None for every active account."""

    shard: Shard | None = None
    """Only the accounts of this shard; None for all of them."""

    account_workers: int = 4
    """How many accounts are collected at once."""


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

    store = ResponseStore(factory, workers)
    covered = _regions(factory, regions, store, account)
    disabled = not_enabled(regions, covered)

    results = run_checks(
        planned.checks,
        planned.controls,
        store,
        account,
        covered,
        workers,
        progress,
        disabled=disabled,
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
    return _written(out, info, results, store.exports())


def collect_org_run(
    planned: Plan,
    settings: ClientSettings,
    out: Path,
    scope: OrgScope,
    regions: Sequence[str] | None = None,
    workers: int = 16,
    progress: Progress | None = None,
) -> Outcome:
    """Run the planned checks in the Organization's accounts ``scope`` picks; write a run folder.

    The credentials must be the management account's or a delegated administrator's.
    """
    started = datetime.now(UTC)
    role_arn = role_arn_template(scope.role_name)
    factory = _factory(replace(settings, role_arn=role_arn, own_account_direct=True))
    caller = _account(factory)

    listing = ResponseStore(factory)
    organization = _organization(factory, listing, caller, scope.shard)
    try:
        accounts = choose(organization, scope.accounts, scope.shard)
    except UnknownAccounts as error:
        raise CollectError(str(error)) from error
    fallback = _home_regions(factory, regions, caller)
    logger.info(
        "collecting organization=%s shard=%s accounts=%d",
        organization.id,
        scope.shard,
        len(accounts),
    )

    collections = collect_accounts(
        planned.checks,
        planned.controls,
        factory,
        accounts,
        fallback,
        regions,
        workers,
        scope.account_workers,
        progress,
    )

    results = sorted(
        (result for c in collections for result in c.results),
        key=lambda r: (r.check, r.account, r.region),
    )
    info = RunInfo(
        id=run_id(started),
        started=started,
        finished=datetime.now(UTC),
        tool_version=__version__,
        accounts=list(accounts),
        regions=_covered(collections, regions),
        demo=False,
        checks=len(planned.checks),
        organization=organization.id,
        shard=scope.shard,
    )
    exports = listing.exports() + [export for c in collections for export in c.exports]
    return _written(out, info, results, exports)


def _written(out: Path, info: RunInfo, results: list[Result], exports: list[Export]) -> Outcome:
    try:
        path = write_run(out, info, results, exports)
    except OSError as error:
        raise CollectError(
            f"Could not write the run folder under {shown(out)}: {error}."
        ) from error
    # The writer adds a suffix to the id when another run started in the same second.
    return Outcome(path, replace(info, id=path.name), results)


def _factory(settings: ClientSettings) -> ClientFactory:
    # Before any client or thread exists: the clients' models then share one heap too.
    share_one_heap()
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

    _refuse_unknown(factory, wanted, covered)
    if wanted and not covered:
        raise CollectError(
            f"None of the regions asked for ({', '.join(wanted)}) is enabled in account {account}."
        )
    logger.info("covering account=%s regions=%s", account, ",".join(covered))
    return covered


def _organization(
    factory: ClientFactory, store: ResponseStore, caller: str, shard: Shard | None
) -> Organization:
    try:
        return describe_organization(factory, store, shard)
    except ApiError as error:
        if error.code == "AWSOrganizationsNotInUseException":
            raise CollectError(
                f"Account {caller} is not in an AWS Organization; drop --org to collect it alone."
            ) from error
        raise CollectError(
            f"Could not list the accounts of the Organization from account {caller}: {error}; "
            "--org needs the credentials of its management account or of a delegated "
            "administrator."
        ) from error


def _home_regions(factory: ClientFactory, wanted: Sequence[str] | None, caller: str) -> list[str]:
    try:
        covered = home_regions(factory, wanted)
    except (BotoCoreError, ClientError) as error:
        raise CollectError(f"Could not list the regions of account {caller}: {error}.") from error

    _refuse_unknown(factory, wanted, covered)
    if wanted and not covered:
        raise CollectError(
            f"None of the regions asked for ({', '.join(wanted)}) is enabled in account {caller}."
        )
    return covered


def _refuse_unknown(
    factory: ClientFactory, wanted: Sequence[str] | None, covered: Sequence[str]
) -> None:
    # A region the account has not enabled gets not_applicable results; a name that is no
    # region at all (a typo) is bad input, which no result could show.
    unknown = unknown_regions(factory, not_enabled(wanted, covered))
    if unknown:
        raise CollectError(f"{UnknownRegions(unknown)} Check the names given to --regions.")


def _covered(collections: Sequence[Collection], wanted: Sequence[str] | None) -> list[str]:
    """The regions any account's results are in: in the order asked for, else sorted."""
    union = {region for collection in collections for region in collection.regions}
    return [region for region in wanted if region in union] if wanted else sorted(union)
