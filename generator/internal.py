"""The internal evidence site: every control, its owner, evidence, checks and status."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.aws.engine import Result, ResultStatus
from generator.catalog import Catalog, Control, Evidence
from generator.checks.base import Check, FindingStatus
from generator.markdown import Rendered, environment, slug, write_page
from generator.problems import BuildError
from generator.runs import MANIFEST_FILE, RESULTS_FILE, Run
from generator.sources import Sources
from generator.status import STATES, Assessment, Effective, stale_after
from generator.trend import trend_svg

logger = logging.getLogger(__name__)

CALL_FIELDS = ("service", "operation", "region", "params", "started", "duration", "error")
"""The fields of an export file that describe the call behind it."""


@dataclass(frozen=True)
class EvidenceRow:
    item: Evidence
    stale_on: dt.date
    stale: bool

    @property
    def fresh_until(self) -> dt.date:
        return self.stale_on - dt.timedelta(days=1)


@dataclass(frozen=True)
class ExportLink:
    path: str
    """Relative to the run folder, e.g. exports/123456789012/global/iam/ListUsers.json."""

    sha256: str


@dataclass(frozen=True)
class CheckView:
    """One check of a control, with its results in the run shown."""

    name: str
    check: Check | None
    results: list[Result]
    exports: dict[str, list[ExportLink]]
    """Export links by result, keyed as account/region."""

    @property
    def failing(self) -> list[tuple[Result, str, str]]:
        """(result, resource, reason) for every failing finding."""
        return [
            (result, finding.resource, finding.reason)
            for result in self.results
            for finding in result.findings
            if finding.status is FindingStatus.FAIL
        ]


@dataclass(frozen=True)
class ControlView:
    """A control with everything its pages show about it."""

    control: Control
    assessment: Assessment
    evidence: list[EvidenceRow]
    checks: list[CheckView]

    @property
    def state(self) -> Effective:
        return self.assessment.state

    @property
    def owner_slug(self) -> str:
        return slug(self.control.owner)


@dataclass(frozen=True)
class GroupView:
    id: str
    name: str
    summary: str
    controls: list[ControlView]
    sections: list[tuple[str, str, list[ControlView]]]
    """(criterion id, name, controls) per checklist heading; empty when the group has none."""

    @property
    def complete(self) -> int:
        return sum(view.state is Effective.COMPLETE for view in self.controls)


def render_internal(sources: Sources, out: Path) -> Rendered:
    """Write the internal site's Markdown into ``out``; return the navigation for MkDocs."""
    catalog, run = sources.catalog, sources.run
    manifest = _manifest(run)
    views = {control.id: _view(control, sources, manifest) for control in catalog.controls}
    groups = [_group(catalog, group.id, views) for group in catalog.criteria.groups]
    owners = _owners(views.values())
    common = {
        "company": catalog.company,
        "states": STATES,
        "today": sources.today,
        "checks": sources.checks,
        "run": run,
        "ResultStatus": ResultStatus,
    }

    def write(page: str, template: str, **context: object) -> None:
        write_page(env, out, page, template, **common, **context)

    env = environment("internal")
    by_check: dict[str, list[str]] = {}
    for view in views.values():
        for check in view.checks:
            by_check.setdefault(check.name, []).append(view.control.id)
    dashboard = {
        "groups": groups,
        "counts": Counter(view.state for view in views.values()),
        "total": len(views),
        "changes": sources.changes,
        "control_of": by_check,
        "history": sources.history,
        "max_age_hours": _hours(sources.automated.max_age),
        "run_age_hours": _hours(sources.now - run.info.finished) if run else 0,
    }
    write("index.md", "dashboard.md.j2", **dashboard)
    write("legend.md", "legend.md.j2", max_age_hours=_hours(sources.automated.max_age))
    write("checklist.md", "checklist.md.j2", groups=groups)
    write("groups/index.md", "groups.md.j2", groups=groups)
    for group in groups:
        write(f"groups/{group.id.lower()}.md", "group.md.j2", group=group)
    names = _names(catalog)
    for view in views.values():
        page = f"controls/{view.control.id}.md"
        group_of = catalog.group(view.control.group_id)
        write(page, "control.md.j2", view=view, group=group_of, criterion_names=names)
    write("owners/index.md", "owners.md.j2", owners=owners)
    for owner, owned in owners.items():
        write(f"owners/{slug(owner)}.md", "owner.md.j2", owner=owner, controls=owned)

    history = list(reversed(sources.history))
    write("runs/index.md", "runs.md.j2", history=history, left_out=sources.left_out)
    if sources.history:
        sizes = [(group.id, len(group.controls)) for group in groups]
        (out / "runs" / "trend.svg").write_text(trend_svg(sources.history, sizes), "utf-8")
    if run is not None:
        write(f"runs/{run.info.id}.md", "run.md.j2", calls=_calls(run), control_of=by_check)
        # The run's own files go with it, so an auditor can re-hash what the pages show.
        retained = out / "runs" / run.info.id
        retained.mkdir(parents=True, exist_ok=True)
        for name in (RESULTS_FILE, MANIFEST_FILE):
            shutil.copyfile(run.path / name, retained / name)
        if (run.path / "exports").is_dir():  # a run whose checks made no call has none
            shutil.copytree(run.path / "exports", retained / "exports", dirs_exist_ok=True)

    logger.info("rendered internal pages for %d controls into %s", len(views), out)
    return Rendered(nav=_nav(groups, run), extra=_banner(run))


def _nav(groups: list[GroupView], run: Run | None) -> list[object]:
    runs = ["runs/index.md"] + ([f"runs/{run.info.id}.md"] if run else [])
    return [
        {"Dashboard": "index.md"},
        {"Criteria": ["groups/index.md"] + [f"groups/{g.id.lower()}.md" for g in groups]},
        {"Owners": "owners/index.md"},
        {"Runs": runs},
        {"Checklist": "checklist.md"},
        {"Legend": "legend.md"},
    ]


def _banner(run: Run | None) -> dict[str, Any]:
    if run is None or not run.info.demo:
        return {}
    return {"banner": "Demo data: these results come from the built-in demo account, not AWS."}


def _view(control: Control, sources: Sources, manifest: dict[str, str]) -> ControlView:
    rows = []
    for item in control.evidence:
        stale_on = stale_after(item.collected, control.frequency)
        rows.append(EvidenceRow(item=item, stale_on=stale_on, stale=sources.today >= stale_on))

    checks = []
    for name in control.checks:
        results = list(sources.automated.results.get(name, []))
        exports = {
            f"{r.account}/{r.region}": [ExportLink(p, manifest.get(p, "")) for p in r.exports]
            for r in results
        }
        checks.append(CheckView(name, sources.checks.get(name), results, exports))
    return ControlView(control, sources.assess(control), rows, checks)


def _group(catalog: Catalog, group_id: str, views: dict[str, ControlView]) -> GroupView:
    group = catalog.group(group_id)
    controls = [views[control.id] for control in catalog.controls_in(group_id)]
    names = {criterion.id: criterion.name for criterion in group.criteria}

    sections = []
    for section in group.sections:
        number = section.removeprefix("CC")
        inside = [view for view in controls if view.control.id.startswith(number + ".")]
        sections.append((section, names[section], inside))
    return GroupView(group.id, group.name, group.summary, controls, sections)


def _names(catalog: Catalog) -> dict[str, str]:
    names = {c.id: c.name for group in catalog.criteria.groups for c in group.criteria}
    return names | {c.id: c.name for category in catalog.criteria.scope for c in category.criteria}


def _owners(views: Iterable[ControlView]) -> dict[str, list[ControlView]]:
    owners: dict[str, list[ControlView]] = {}
    for view in views:
        owners.setdefault(view.control.owner, []).append(view)
    return dict(sorted(owners.items()))


def _manifest(run: Run | None) -> dict[str, str]:
    if run is None:
        return {}
    data = json.loads((run.path / MANIFEST_FILE).read_text(encoding="utf-8"))
    return dict(data["files"])


def _calls(run: Run) -> dict[str, dict[str, Any]]:
    """The call behind each export of the run, read back from the export files."""
    calls = {}
    for path in sorted({p for result in run.results for p in result.exports}):
        try:
            data = json.loads((run.path / path).read_text(encoding="utf-8"))
            calls[path] = {key: data[key] for key in CALL_FIELDS}
        except (OSError, ValueError, KeyError, TypeError) as error:
            message = f"export {path} of run {run.info.id} cannot be read as an API call: {error}"
            raise BuildError(message) from error
    return calls


def _hours(age: dt.timedelta) -> int:
    return int(age.total_seconds() // 3600)
