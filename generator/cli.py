"""The ``trustcenter`` command line: one subcommand per step of the pipeline.

User-facing output goes through ``click.echo``; diagnostics go through logging to stderr.
Exit codes: 0 success, 1 when checks found failures and a flag asked for that, 2 for bad
input or configuration.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from generator import __version__
from generator.build import BuildError, build_sites
from generator.checks import registry
from generator.loader import load_catalog, shown
from generator.problems import InputError

logger = logging.getLogger(__name__)

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
@click.option("-v", "--verbose", count=True, help="Log more: -v for progress, -vv for debug.")
def main(verbose: int) -> None:
    """Turn a SOC 2 checklist for AWS into living evidence and a public Trust Center."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)-7s - %(name)s: %(message)s")


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


@main.command()
@root_option
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write both sites.  [default: ROOT/site]",
)
def build(root: Path, site_dir: Path | None) -> None:
    """Validate the catalog and build the internal and public sites, all or nothing."""
    started = time.perf_counter()
    site = site_dir or root / "site"
    built = _or_exit(lambda: build_sites(root, site, registry()))

    elapsed = time.perf_counter() - started
    click.echo(f"Built both sites for {built.controls} controls in {elapsed:.1f} s:")
    for audience, seconds in built.seconds.items():
        click.echo(f"  {audience:<8} {shown(site / audience)}/index.html  (MkDocs {seconds:.1f} s)")


@main.command("checks")
def list_checks() -> None:
    """List the automated checks that controls can name in their checks: field."""
    for check in sorted(registry().values(), key=lambda check: check.id):
        click.echo(f"{check.id:<48} {check.scope:<8} {check.rule}")


def _or_exit(step: Callable[[], T]) -> T:
    try:
        return step()
    except InputError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        _fail(f"{error}; nothing was written.")
    except BuildError as error:
        _fail(f"{error}; the previous site was left as it was.")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(BAD_INPUT)
