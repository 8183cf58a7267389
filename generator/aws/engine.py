"""Run checks over an account's regions, concurrently, and turn each outcome into a result.

Work is grouped into units of (region, service) so that checks reading the same service in
the same region run side by side and share their responses; a bounded thread pool runs the
units. Fail-closed: a check whose calls fail, or whose code raises, gets an ``error`` result,
never a pass.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Any, Protocol

from generator.aws.clients import ClientFactory
from generator.aws.view import (
    Export,
    LiveView,
    ResponseStore,
    ServiceNotInRegion,
    ServiceUnavailable,
    export_key,
)
from generator.checks.base import GLOBAL, ApiError, Check, Finding, FindingStatus, NotApplicable

logger = logging.getLogger(__name__)

ENABLED_OPT_IN = frozenset({"opt-in-not-required", "opted-in"})
REGIONS_PARAMS: dict[str, Any] = {"AllRegions": False}
"""How DescribeRegions is asked for the enabled regions (see :func:`regions_from`)."""
LISTED_FAILURES = 10
"""How many failing resources a fail reason names before it says "and N more"."""


class UnknownRegions(ValueError):
    """Regions were asked for that are neither enabled in the account nor known to botocore."""

    def __init__(self, regions: Sequence[str]) -> None:
        self.regions = list(regions)
        noun = "is not an AWS region" if len(regions) == 1 else "are not AWS regions"
        super().__init__(
            f"{', '.join(regions)} {noun}: neither enabled in the account nor known to botocore."
        )


class ResultStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Result:
    """One check's outcome in one account and region."""

    check: str
    controls: list[str]
    account: str
    region: str
    """A region name, or :data:`GLOBAL` for global checks."""

    status: ResultStatus
    reason: str
    """One sentence: why the status, naming the failing resources or the failed call."""

    findings: list[Finding]
    exports: list[str]
    """The exports the verdict was based on: their keys while collecting, their paths relative
    to the run folder in a run read back."""

    started: datetime
    finished: datetime

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-serialisable mapping, as ``results.json`` holds it."""
        return {
            "check": self.check,
            "controls": self.controls,
            "account": self.account,
            "region": self.region,
            "status": str(self.status),
            "reason": self.reason,
            "findings": [
                {"resource": f.resource, "status": str(f.status), "reason": f.reason}
                for f in self.findings
            ],
            "exports": self.exports,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        """Return the result that :meth:`to_json` made ``data`` from."""
        return cls(
            check=data["check"],
            controls=list(data["controls"]),
            account=data["account"],
            region=data["region"],
            status=ResultStatus(data["status"]),
            reason=data["reason"],
            findings=[
                Finding(f["resource"], FindingStatus(f["status"]), f["reason"])
                for f in data["findings"]
            ],
            exports=list(data["exports"]),
            started=datetime.fromisoformat(data["started"]),
            finished=datetime.fromisoformat(data["finished"]),
        )


@dataclass(frozen=True)
class Collection:
    """What one collection of one account produced."""

    account: str
    regions: list[str]
    results: list[Result]
    exports: list[Export]


class Progress(Protocol):
    """Told how many results a collection will make, then of each one as it is made.

    A collection over several accounts tells it once per account: each ``begin`` adds to the
    total.
    """

    def begin(self, total: int) -> None: ...

    def advance(self, result: Result) -> None: ...


def collect(
    checks: Sequence[Check],
    controls: Mapping[str, Sequence[str]],
    factory: ClientFactory,
    regions: Iterable[str] | None = None,
    workers: int = 16,
    progress: Progress | None = None,
) -> Collection:
    """Run ``checks`` in the credentials' account over its enabled regions (or those given)."""
    account = factory.account_id()
    store = ResponseStore(factory, workers)
    wanted = None if regions is None else list(regions)
    covered = enabled_regions(factory, wanted, store)
    disabled = not_enabled(wanted, covered)
    unknown = unknown_regions(factory, disabled)
    if unknown:
        raise UnknownRegions(unknown)

    results = run_checks(
        checks, controls, store, account, covered, workers, progress, disabled=disabled
    )

    return Collection(account, covered, results, store.exports())


def run_checks(
    checks: Sequence[Check],
    controls: Mapping[str, Sequence[str]],
    store: ResponseStore,
    account: str,
    regions: Sequence[str],
    workers: int = 16,
    progress: Progress | None = None,
    disabled: Sequence[str] = (),
) -> list[Result]:
    """Run every check once per region (global checks once), ``workers`` units at a time.

    Each regional check also gets a ``not_applicable`` result in each ``disabled`` region: a
    region asked for that the account has not enabled, so the run shows it was asked for.
    """
    skipped = not_enabled_results(checks, controls, store, account, disabled)
    units: dict[tuple[str, str], list[Check]] = defaultdict(list)
    for check, region in placements(checks, regions):
        units[(region, check.service)].append(check)
    logger.info(
        "collecting account=%s checks=%d regions=%d units=%d",
        account,
        len(checks),
        len(regions),
        len(units),
    )
    if progress is not None:
        progress.begin(sum(len(unit) for unit in units.values()) + len(skipped))
        for result in skipped:
            progress.advance(result)

    def run_unit(region: str, unit: list[Check]) -> list[Result]:
        results = []
        for check in unit:
            result = run_check(check, LiveView(store, account, region, list(regions)), controls)
            if progress is not None:
                progress.advance(result)
            results.append(result)
        return results

    # Global units first: they read every region (CloudTrail's reads one call per region and
    # trail), so they are a run's longest units, and a long unit started last sets its end.
    ordered = sorted(units.items(), key=lambda item: item[0][0] != GLOBAL)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
        futures = [pool.submit(run_unit, region, unit) for (region, _), unit in ordered]
        results = [result for future in futures for result in future.result()]

    results += skipped
    results.sort(key=lambda r: (r.check, r.account, r.region))
    counts = {status: sum(r.status == status for r in results) for status in ResultStatus}
    logger.info("collected account=%s results=%d %s", account, len(results), counts)
    return results


def placements(checks: Sequence[Check], regions: Sequence[str]) -> list[tuple[Check, str]]:
    """Return each (check, region) a collection makes a result for: global checks once."""
    return [
        (check, region)
        for check in checks
        for region in ([GLOBAL] if check.scope == "global" else regions)
    ]


def unreached(
    checks: Sequence[Check],
    controls: Mapping[str, Sequence[str]],
    account: str,
    regions: Sequence[str],
    reason: str,
    exports: Sequence[str] = (),
) -> list[Result]:
    """Return an ``error`` result, for ``reason``, of every check an account would have had.

    ``exports`` are the keys of the failed calls that show why, if any.
    """
    uncollected = partial(_uncollected, controls, account, ResultStatus.ERROR, reason, exports)
    results = [uncollected(check, region) for check, region in placements(checks, regions)]
    return sorted(results, key=lambda r: (r.check, r.account, r.region))


def not_enabled_results(
    checks: Sequence[Check],
    controls: Mapping[str, Sequence[str]],
    store: ResponseStore,
    account: str,
    regions: Sequence[str],
) -> list[Result]:
    """Return a ``not_applicable`` result of each regional check in each of ``regions``.

    ``regions`` are asked for but not enabled in ``account``; the DescribeRegions answer that
    says so is each result's export.
    """
    if not regions:
        return []
    home = store.factory.settings.home_region
    evidence = export_key(account, home, "ec2", "DescribeRegions", REGIONS_PARAMS)
    return [
        _uncollected(
            controls,
            account,
            ResultStatus.NOT_APPLICABLE,
            f"Region {region} is not enabled for account {account} (EC2 DescribeRegions).",
            [evidence],
            check,
            region,
        )
        for check in checks
        if check.scope != "global"
        for region in regions
    ]


def _uncollected(
    controls: Mapping[str, Sequence[str]],
    account: str,
    status: ResultStatus,
    reason: str,
    exports: Sequence[str],
    check: Check,
    region: str,
) -> Result:
    """A result of ``check`` in ``region`` decided before any of its own calls could be made."""
    now = datetime.now(UTC)
    return Result(
        check=check.id,
        controls=list(controls.get(check.id, [])),
        account=account,
        region=region,
        status=status,
        reason=reason,
        findings=[],
        exports=list(exports),
        started=now,
        finished=now,
    )


def run_check(check: Check, view: LiveView, controls: Mapping[str, Sequence[str]]) -> Result:
    """Evaluate one check through ``view`` and turn any outcome into a result; never raises."""
    started = datetime.now(UTC)
    findings: list[Finding] = []
    try:
        findings = check.evaluate(view)
        status, reason = verdict(check, findings)
    except ApiError as error:
        status, reason = failed_call(error, view.region)
    except NotApplicable as outcome:
        status, reason = ResultStatus.NOT_APPLICABLE, str(outcome)
    except Exception as error:
        logger.exception("check %s raised in region %s", check.id, view.region)
        status, reason = ResultStatus.ERROR, f"could not evaluate: {type(error).__name__}: {error}"

    logger.debug("result check=%s region=%s status=%s", check.id, view.region, status)
    return Result(
        check=check.id,
        controls=list(controls.get(check.id, [])),
        account=view.account,
        region=view.region,
        status=status,
        reason=reason,
        findings=findings,
        exports=list(view.used),
        started=started,
        finished=datetime.now(UTC),
    )


def failed_call(error: ApiError, region: str) -> tuple[ResultStatus, str]:
    """Return the status and reason of a check whose call in ``region`` failed.

    A service the endpoint lacks altogether makes the check not applicable. So does a service
    missing from the check's own region; a global check judging every region decides about
    such regions itself, so for it the failure stays an error.
    """
    call = f"{error.service}:{error.operation}"
    if isinstance(error, ServiceUnavailable):
        return ResultStatus.NOT_APPLICABLE, f"{call} is not available here: {error.message}."
    if isinstance(error, ServiceNotInRegion) and error.region == region:
        return ResultStatus.NOT_APPLICABLE, f"{call} is not offered in {error.region}."
    return ResultStatus.ERROR, f"{call} failed in {error.region}: {error.code}: {error.message}"


def verdict(check: Check, findings: Sequence[Finding]) -> tuple[ResultStatus, str]:
    """Return the status and one-sentence reason that ``findings`` add up to."""
    if not findings:
        return ResultStatus.PASS, check.empty

    failing = [f.resource for f in findings if f.status is FindingStatus.FAIL]
    total = len(findings)
    noun = "resource" if total == 1 else "resources"
    if not failing:
        return ResultStatus.PASS, f"All {total} {noun} pass." if total > 1 else findings[0].reason

    verb = "fails" if len(failing) == 1 else "fail"
    named = ", ".join(failing[:LISTED_FAILURES])
    if len(failing) > LISTED_FAILURES:
        named += f" and {len(failing) - LISTED_FAILURES} more"
    return ResultStatus.FAIL, f"{len(failing)} of {total} {noun} {verb}: {named}."


def enabled_regions(
    factory: ClientFactory,
    wanted: Iterable[str] | None = None,
    store: ResponseStore | None = None,
    account: str | None = None,
) -> list[str]:
    """Return the regions enabled in ``account`` (the credentials' by default), narrowed to
    ``wanted`` when given.

    The DescribeRegions answer becomes an export of ``store`` when one is given.

    Raises :class:`ApiError` when the regions cannot be listed: a run that silently covers
    fewer regions would look complete.
    """
    store = store or ResponseStore(factory)
    account = account or factory.account_id()
    view = LiveView(store, account, factory.settings.home_region, [])
    response = view.call("ec2", "DescribeRegions", **REGIONS_PARAMS)
    return regions_from(response, wanted, account)


def regions_from(
    response: Mapping[str, Any], wanted: Iterable[str] | None, account: str
) -> list[str]:
    """Return the enabled regions a DescribeRegions ``response`` lists, narrowed to ``wanted``."""
    # Filter here rather than with an opt-in-status filter: AllRegions=False already hides
    # opt-in regions that are not enabled, and moto ignores DescribeRegions filters.
    enabled = sorted(
        r["RegionName"]
        for r in response.get("Regions", [])
        if r.get("OptInStatus", "opt-in-not-required") in ENABLED_OPT_IN
    )
    if wanted is None:
        return enabled

    requested = list(dict.fromkeys(wanted))
    for region in requested:
        if region not in enabled:
            logger.warning("region %s is not enabled in account %s", region, account)
    return [region for region in requested if region in enabled]


def not_enabled(wanted: Sequence[str] | None, covered: Sequence[str]) -> list[str]:
    """Return the regions ``wanted`` that are not ``covered``, in the order asked for."""
    return [region for region in dict.fromkeys(wanted or ()) if region not in covered]


def unknown_regions(factory: ClientFactory, regions: Iterable[str]) -> list[str]:
    """Return those of ``regions`` that botocore's partition data does not know.

    Given regions an account has not enabled, these are no AWS region at all as far as can be
    told (a typo), rather than regions the account could enable.
    """
    return [region for region in regions if not factory.knows_region(region)]
