"""An AWS Organization's accounts: which of them a run covers, and collecting each one.

A run over an Organization starts from the management account or a delegated administrator
(the credentials given), lists the Organization's active accounts, narrows them to those
asked for and to its shard, and collects each account through the read-only role named in
every account, several accounts at a time. An account whose role cannot be assumed gets an
``error`` result for each check it would have had; the other accounts are unaffected.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from generator.aws.clients import ClientFactory, RoleNotAssumed
from generator.aws.engine import (
    Collection,
    Progress,
    Result,
    enabled_regions,
    not_enabled,
    regions_from,
    run_checks,
    unreached,
)
from generator.aws.view import Call, ResponseStore
from generator.checks.base import ApiError, Check
from generator.runs import Shard

logger = logging.getLogger(__name__)

ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
"""What IAM accepts as a role name."""

ACTIVE = "ACTIVE"


class UnknownAccounts(Exception):
    """Accounts were asked for that are not active accounts of the Organization."""

    def __init__(self, organization: str, accounts: list[str]) -> None:
        self.accounts = accounts
        noun = "is not an active account" if len(accounts) == 1 else "are not active accounts"
        super().__init__(f"{', '.join(accounts)} {noun} of Organization {organization}.")


@dataclass(frozen=True)
class Organization:
    """An AWS Organization as its management account (or a delegated administrator) sees it."""

    id: str
    accounts: list[str]
    """The ids of its active accounts, sorted."""


def role_arn_template(role_name: str) -> str:
    """Return the ARN of the role ``role_name`` with the client factory's placeholders."""
    return f"arn:{{partition}}:iam::{{account}}:role/{role_name}"


def describe_organization(
    factory: ClientFactory, store: ResponseStore, shard: Shard | None = None
) -> Organization:
    """Return the Organization the credentials' account belongs to; raise :class:`ApiError`.

    The DescribeOrganization and ListAccounts answers become exports of ``store``: they are the
    evidence of which accounts the run covers.
    """
    place = listing_place(shard)
    described = _listed(factory, store, place, "DescribeOrganization")
    organization_id = str(described["Organization"]["Id"])

    listed = _listed(factory, store, place, "ListAccounts")
    accounts = sorted(
        str(account["Id"]) for account in listed.get("Accounts", []) if _state(account) == ACTIVE
    )
    logger.info("organization=%s active accounts=%d", organization_id, len(accounts))
    return Organization(organization_id, accounts)


def listing_place(shard: Shard | None) -> str:
    """Where a run keeps its listing of the Organization among its exports, in place of a region.

    Every shard lists the Organization, and a merged run keeps every shard's exports at their
    own paths, so each shard's listing has a place of its own; none is a check's evidence.
    """
    if shard is None:
        return "organization"
    return f"organization-shard-{shard.index}-of-{shard.count}"


def _listed(factory: ClientFactory, store: ResponseStore, place: str, operation: str) -> Any:
    home = factory.settings.home_region
    call = Call(factory.account_id(), place, home, "organizations", operation, {})
    export = store.fetch(call)
    if export.error_code is not None:
        raise ApiError(
            "organizations", operation, home, export.error_code, export.error_message or ""
        )
    return export.response or {}


def shard_of(account: str, count: int) -> int:
    """Return the shard, 1 to ``count``, that ``account`` belongs to.

    It depends on the account id alone, so adding or removing accounts moves no other account.
    """
    return int(hashlib.sha256(account.encode("ascii")).hexdigest(), 16) % count + 1


def parse_shard(text: str) -> Shard:
    """Return the shard ``I/N`` names; raise ValueError saying what is wrong with it."""
    index, slash, count = text.strip().partition("/")
    if not (slash and index.isdecimal() and count.isdecimal()):
        raise ValueError(f"{text!r} is not of the form I/N, e.g. 2/5.")

    shard = Shard(int(index), int(count))
    if not 1 <= shard.index <= shard.count:
        raise ValueError(f"{text!r}: the shard I of N must be between 1 and N.")
    return shard


def choose(
    organization: Organization, wanted: Iterable[str] | None, shard: Shard | None
) -> list[str]:
    """Return the accounts a run covers: those ``wanted`` (all by default), in its ``shard``.

    Raises :class:`UnknownAccounts` naming the wanted ids that are not active accounts.
    """
    chosen = organization.accounts
    if wanted is not None:
        requested = set(wanted)
        unknown = sorted(requested - set(chosen))
        if unknown:
            raise UnknownAccounts(organization.id, unknown)
        chosen = [account for account in chosen if account in requested]

    if shard is not None:
        chosen = [account for account in chosen if shard_of(account, shard.count) == shard.index]
    return chosen


def home_regions(factory: ClientFactory, wanted: Iterable[str] | None) -> list[str]:
    """Return the regions enabled where the run starts, narrowed to ``wanted``.

    They stand for the regions of an account whose own cannot be listed. Called with the
    starting credentials, not through the store: the answer is not evidence about any account
    the run covers. botocore errors pass.
    """
    ec2: Any = factory.client("ec2", factory.settings.home_region)
    response = ec2.describe_regions(AllRegions=False)
    return regions_from(response, wanted, factory.account_id())


def collect_accounts(
    checks: Sequence[Check],
    controls: Mapping[str, Sequence[str]],
    factory: ClientFactory,
    accounts: Sequence[str],
    fallback_regions: Sequence[str],
    wanted: Sequence[str] | None = None,
    workers: int = 16,
    account_workers: int = 4,
    progress: Progress | None = None,
) -> list[Collection]:
    """Collect each account, ``account_workers`` at a time, each with ``workers`` threads.

    An account covers its own enabled regions (narrowed to ``wanted``); one that cannot be
    reached, or whose regions cannot be listed, gets error results in ``fallback_regions``.
    """

    def collect_one(account: str) -> Collection:
        return collect_account(
            checks, controls, factory, account, fallback_regions, wanted, workers, progress
        )

    with ThreadPoolExecutor(max_workers=account_workers, thread_name_prefix="account") as pool:
        return list(pool.map(collect_one, accounts))


def collect_account(
    checks: Sequence[Check],
    controls: Mapping[str, Sequence[str]],
    factory: ClientFactory,
    account: str,
    fallback_regions: Sequence[str],
    wanted: Sequence[str] | None,
    workers: int,
    progress: Progress | None,
) -> Collection:
    """Collect one account of the Organization; never raises for AWS's answers."""
    try:
        factory.reach(account)
    except RoleNotAssumed as error:
        logger.warning("account %s is out of reach: %s", account, error)
        results = unreached(checks, controls, account, fallback_regions, str(error))
        return Collection(account, list(fallback_regions), _told(results, progress), [])

    store = ResponseStore(factory, workers)
    try:
        covered = enabled_regions(factory, wanted, store, account)
    except ApiError as error:
        # Without its regions the account cannot be covered, but the other accounts can.
        logger.warning("account %s: could not list its regions: %s", account, error)
        reason = f"Could not list the regions of account {account}: {error}"
        exports = store.exports()
        keys = [export.key for export in exports]
        results = unreached(checks, controls, account, fallback_regions, reason, keys)
        return Collection(account, list(fallback_regions), _told(results, progress), exports)

    disabled = not_enabled(wanted, covered)
    results = run_checks(
        checks, controls, store, account, covered, workers, progress, disabled=disabled
    )
    return Collection(account, covered, results, store.exports())


def _told(results: list[Result], progress: Progress | None) -> list[Result]:
    if progress is not None:
        progress.begin(len(results))
        for result in results:
            progress.advance(result)
    return results


def _state(account: Mapping[str, Any]) -> str:
    # AWS is replacing ListAccounts' Status with State (which adds PENDING_CLOSURE and more);
    # read the new field where it is given and the old one elsewhere.
    return str(account.get("State") or account.get("Status") or "")
