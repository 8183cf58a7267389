"""The ``trustcenter`` command line: one subcommand per step of the pipeline.

User-facing output goes through ``click.echo``; diagnostics go through logging to stderr.
Exit codes: 0 success, 1 when checks found failures and a flag asked for that, 2 for bad
input or configuration.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import NoReturn, TypeVar

import click
from click.core import ParameterSource
from rich.console import Console

from generator import __version__
from generator.aws.clients import ClientSettings
from generator.aws.engine import Progress, Result, ResultStatus
from generator.aws.organization import ROLE_NAME, parse_shard
from generator.aws.progress import BarProgress, LineProgress, control_counts, summary
from generator.checks import registry
from generator.cloudformation import (
    DEFAULT_ROLE_NAME,
    collector_template,
    member_template,
    template_yaml,
)
from generator.collect import (
    CollectError,
    OrgScope,
    Outcome,
    Plan,
    collect_org_run,
    collect_run,
    plan,
)
from generator.demo import DemoUnavailable, demo_account
from generator.loader import load_catalog, shown
from generator.merge import MergeError, merge_runs
from generator.policy import policy_json, read_only_policy
from generator.problems import BuildError, InputError, LeakError
from generator.retention import prune_runs
from generator.runs import RUNS_DIR, Shard, latest_run, verify_run
from generator.status import DEFAULT_RESULTS_MAX_AGE

logger = logging.getLogger(__name__)

FINDINGS = 1
BAD_INPUT = 2

T = TypeVar("T")

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Project folder holding controls/, trustcenter.yaml and the MkDocs configs.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trustcenter")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log more: -v for trustcenter's debug logs, -vv for boto3's and MkDocs' as well.",
)
def main(verbose: int) -> None:
    """Turn a SOC 2 checklist for AWS into living evidence and a public Trust Center."""
    # botocore's debug output prints every request and response; it is only wanted on -vv.
    level = logging.DEBUG if verbose >= 2 else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)-7s - %(name)s: %(message)s")
    if verbose:
        logging.getLogger("generator").setLevel(logging.DEBUG)


@main.command()
@root_option
def validate(root: Path) -> None:
    """Check every control file, the criteria and the company file; report all problems."""
    catalog = _or_exit(lambda: load_catalog(root, registry()))
    checks = {name for control in catalog.controls for name in control.checks}
    click.echo(
        f"{len(catalog.controls)} controls in {len(catalog.criteria.groups)} criterion groups "
        f"are valid ({len(checks)} automated checks referenced)."
    )


runs_option = click.option(
    "--runs",
    "runs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"The folder of run folders.  [default: ROOT/{RUNS_DIR.as_posix()}]",
)


@main.command()
@root_option
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write both sites.  [default: ROOT/site]",
)
@runs_option
@click.option(
    "--run",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Show this run folder instead of the latest one.",
)
@click.option(
    "--max-age-hours",
    type=click.IntRange(1),
    default=int(DEFAULT_RESULTS_MAX_AGE.total_seconds() // 3600),
    show_default=True,
    help="Check results older than this make a control's automated evidence stale.",
)
def build(
    root: Path, site_dir: Path | None, runs_dir: Path | None, run: Path | None, max_age_hours: int
) -> None:
    """Validate the catalog and build the internal and public sites, all or nothing."""
    # Imported here: MkDocs and the page templates weigh tens of megabytes that collect,
    # the command that must stay lean on a CI runner, never needs.
    from generator.build import build_sites

    started = time.perf_counter()
    site = site_dir or root / "site"
    max_age = dt.timedelta(hours=max_age_hours)
    built = _or_exit(
        lambda: build_sites(root, site, registry(), run=run, runs_root=runs_dir, max_age=max_age)
    )

    elapsed = time.perf_counter() - started
    click.echo(f"Built both sites for {built.controls} controls in {elapsed:.1f} s:")
    for audience, seconds in built.seconds.items():
        click.echo(f"  {audience:<8} {shown(site / audience)}/index.html  (MkDocs {seconds:.1f} s)")


@main.command()
@root_option
@runs_option
@click.argument("run", required=False, type=click.Path(file_okay=False, path_type=Path))
def verify(root: Path, runs_dir: Path | None, run: Path | None) -> None:
    """Re-hash a run folder (the latest by default) against its manifest."""
    path = run or latest_run(runs_dir or root / RUNS_DIR)
    if path is None or not path.is_dir():
        _fail(f"there is no run folder to verify at {shown(path or runs_dir or root / RUNS_DIR)}.")

    problems = verify_run(path)
    for problem in problems:
        click.echo(f"{shown(path)}: {problem}", err=True)
    if problems:
        _fail(f"run {path.name} does not match its manifest ({len(problems)} difference(s)).")
    click.echo(f"Run {path.name} matches its manifest.")


@main.command()
@root_option
@runs_option
@click.option(
    "--keep-days",
    type=click.IntRange(0),
    required=True,
    help="Remove runs that finished more than this many days ago (never the latest).",
)
def prune(root: Path, runs_dir: Path | None, keep_days: int) -> None:
    """Remove old run folders; runs accumulate until this is asked for."""
    removed = prune_runs(runs_dir or root / RUNS_DIR, keep_days, dt.datetime.now(dt.UTC))
    for folder in removed:
        click.echo(f"Removed {shown(folder)}")
    click.echo(f"Removed {len(removed)} run(s) older than {keep_days} day(s).")


@main.command("checks")
def list_checks() -> None:
    """List the automated checks that controls can name in their checks: field."""
    for check in sorted(registry().values(), key=lambda check: check.id):
        click.echo(f"{check.id:<48} {check.scope:<8} {check.rule}")


@main.command()
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Where run folders go.  [default: ROOT/{RUNS_DIR.as_posix()}]",
)
@click.option(
    "--regions",
    metavar="LIST",
    default=None,
    help="Comma-separated regions to cover, e.g. us-east-1,eu-west-1.  "
    "[default: every enabled region; with --demo, the demo's two]",
)
@click.option("--profile", default=None, help="A profile from the shared AWS config files.")
@click.option(
    "--role-arn",
    default=None,
    help="A read-only role to assume first; {account} stands for the account id.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="How many (region, service) units run at once.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Collect from a seeded demo account on a local moto server; needs no credentials.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=ClientSettings.max_attempts,
    show_default=True,
    help="Attempts per API call, the first included; adaptive retry spaces them out.",
)
@click.option("--fail-on-findings", is_flag=True, help="Exit 1 when any result failed.")
@click.option(
    "--org",
    is_flag=True,
    help="Collect every active account of the AWS Organization, from its management account "
    "or a delegated administrator, through --role-name in each.",
)
@click.option(
    "--role-name",
    metavar="NAME",
    default=None,
    help="With --org: the read-only role to assume in each account (the member template's "
    f"default is {DEFAULT_ROLE_NAME}).",
)
@click.option(
    "--accounts",
    metavar="LIST",
    default=None,
    help="With --org: only these comma-separated account ids.",
)
@click.option(
    "--shard",
    metavar="I/N",
    default=None,
    callback=lambda ctx, param, value: _shard_option(value),
    help="With --org: only the accounts of shard I of N (1 <= I <= N), for one CI job each; "
    "trustcenter merge joins the shard runs.",
)
@click.option(
    "--account-workers",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="With --org: how many accounts are collected at once, each with --workers units.",
)
def collect(
    root: Path,
    out: Path | None,
    regions: str | None,
    profile: str | None,
    role_arn: str | None,
    workers: int,
    demo: bool,
    max_attempts: int,
    fail_on_findings: bool,
    org: bool,
    role_name: str | None,
    accounts: str | None,
    shard: Shard | None,
    account_workers: int,
) -> None:
    """Run the checks the controls name against AWS and write a new run folder of evidence."""
    if demo and (profile or role_arn or org):
        raise click.UsageError("--demo brings its own account; drop --profile, --role-arn, --org.")
    scope = _org_scope(org, role_name, accounts, shard, account_workers, role_arn)
    planned = _or_exit(lambda: plan(root, registry()))
    wanted = _listed(regions)
    runs = out or root / RUNS_DIR
    started = time.perf_counter()

    settings = ClientSettings(max_attempts=max_attempts, profile=profile, role_arn=role_arn)
    if demo:
        outcome = _or_exit(lambda: _collect_demo(planned, runs, wanted, workers))
    elif scope is not None:
        run_org = partial(collect_org_run, planned, settings, runs, scope, wanted, workers)
        outcome = _or_exit(lambda: _collect(run_org))
    else:
        run_one = partial(collect_run, planned, settings, runs, wanted, workers, False)
        outcome = _or_exit(lambda: _collect(run_one))

    _report(planned, outcome, time.perf_counter() - started)
    # Informational checks report, they never decide: their failures are no finding to act on.
    deciding = {check.id for check in planned.checks if not check.informational}
    failed = [r for r in outcome.results if r.status is ResultStatus.FAIL and r.check in deciding]
    if fail_on_findings and failed:
        sys.exit(FINDINGS)


@main.command()
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Where the merged run folder goes.  [default: ROOT/{RUNS_DIR.as_posix()}]",
)
@click.argument(
    "runs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True, path_type=Path)
)
def merge(root: Path, out: Path | None, runs: tuple[Path, ...]) -> None:
    """Join shard runs (collect --org --shard I/N) into one new, verified run folder."""
    try:
        merged = merge_runs(runs, out or root / RUNS_DIR)
    except MergeError as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        sys.exit(BAD_INPUT)

    info, shards = merged.info, merged.shards
    if shards.missing:
        click.echo(
            f"Warning: shard(s) {_joined(shards.missing)} of {shards.count} are missing; the "
            f"merged run holds shard(s) {_joined([run.index for run in shards.runs])} and "
            "records which.",
            err=True,
        )
    click.echo(
        f"Run {info.id}: merged {len(shards.runs)} of {shards.count} shard run(s) of "
        f"Organization {info.organization}: {len(merged.results)} results in "
        f"{len(info.accounts)} account(s) and {len(info.regions)} region(s): "
        f"{_tally(merged.results)}."
    )
    click.echo(f"Evidence written to {shown(merged.path)}")


@main.command("iam-policy")
@click.option(
    "--template",
    type=click.Choice(["collector", "member"]),
    default=None,
    help="Print a CloudFormation template of the role instead: the collector role CI assumes "
    "through GitHub OIDC, or the member role a StackSet puts in every account.",
)
def iam_policy(template: str | None) -> None:
    """Print the read-only IAM policy the collecting role needs, as JSON."""
    checks = registry().values()
    if template is None:
        click.echo(policy_json(checks), nl=False)
        return
    make = collector_template if template == "collector" else member_template
    click.echo(template_yaml(make(read_only_policy(checks))), nl=False)


def _shard_option(value: str | None) -> Shard | None:
    try:
        return None if value is None else parse_shard(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


def _org_scope(
    org: bool,
    role_name: str | None,
    accounts: str | None,
    shard: Shard | None,
    account_workers: int,
    role_arn: str | None,
) -> OrgScope | None:
    """Return the Organization scope the options ask for, None without --org; exit 2 on misuse."""
    context = click.get_current_context()
    given = [
        f"--{name.replace('_', '-')}"
        for name in ("role_name", "accounts", "shard", "account_workers")
        if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ]
    if not org:
        if given:
            verb = "needs" if len(given) == 1 else "need"
            raise click.UsageError(f"{', '.join(given)} {verb} --org.")
        return None

    if role_arn:
        raise click.UsageError(
            "--org assumes --role-name in each account; drop --role-arn (--profile picks the "
            "starting credentials)."
        )
    if role_name is None:
        raise click.UsageError("--org needs --role-name: the read-only role in each account.")
    if not ROLE_NAME.match(role_name):
        raise click.BadParameter(
            f"{role_name!r} is not an IAM role name.", param_hint="--role-name"
        )
    wanted = _listed(accounts)
    if accounts is not None and not wanted:
        raise click.BadParameter("it names no account.", param_hint="--accounts")
    return OrgScope(role_name, wanted, shard, account_workers)


def _listed(text: str | None) -> list[str] | None:
    return [name.strip() for name in (text or "").split(",") if name.strip()] or None


def _collect_demo(planned: Plan, out: Path, regions: list[str] | None, workers: int) -> Outcome:
    with demo_account() as demo:
        covered = regions or demo.regions
        return _collect(partial(collect_run, planned, demo.settings, out, covered, workers, True))


def _collect(run: Callable[[Progress], Outcome]) -> Outcome:
    progress = BarProgress(Console(stderr=True)) if sys.stderr.isatty() else LineProgress(_log)
    with progress:
        return run(progress)


def _report(planned: Plan, outcome: Outcome, seconds: float) -> None:
    rows = control_counts(outcome.results, planned.order)
    click.echo(summary(rows, terminal=sys.stderr.isatty()), nl=False)

    info = outcome.info
    click.echo(
        f"Run {info.id}: {len(outcome.results)} results of {info.checks} checks in "
        f"{len(info.accounts)} account(s) and {len(info.regions)} region(s): "
        f"{_tally(outcome.results)} ({seconds:.1f} s)."
    )
    if info.organization is not None:
        shard = f", shard {info.shard}" if info.shard else ""
        click.echo(f"Organization {info.organization}{shard}.")
    click.echo(f"Evidence written to {shown(outcome.path)}")


def _tally(results: Sequence[Result]) -> str:
    counts = {status: sum(r.status is status for r in results) for status in ResultStatus}
    return (
        f"{counts[ResultStatus.PASS]} pass, {counts[ResultStatus.FAIL]} fail, "
        f"{counts[ResultStatus.ERROR]} error, {counts[ResultStatus.NOT_APPLICABLE]} not applicable"
    )


def _joined(items: Sequence[object]) -> str:
    return ", ".join(str(item) for item in items) or "none"


def _log(line: str) -> None:
    click.echo(line, err=True)


def _or_exit(step: Callable[[], T]) -> T:
    try:
        return step()
    except InputError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        _fail(f"{error}; nothing was written.")
    except LeakError as error:
        for leak in error.leaks:
            click.echo(f"public site: {leak}", err=True)
        _fail(f"{error}; nothing was published and the previous site was left as it was.")
    except BuildError as error:
        _fail(f"{error}; the previous site was left as it was.")
    except CollectError as error:
        _fail(str(error))
    except DemoUnavailable as error:
        _fail(str(error))


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(BAD_INPUT)
