"""The public Trust Center, built from an allowlisted model so internal fields cannot reach it.

The public templates see only :class:`PublicTrustCenter`. It is assembled here field by field
from what is meant for customers (the company's overview, the criteria's names and summaries,
and the controls' ``public`` sentences) and nothing else: no owners, descriptions, evidence,
control titles, ids or statuses of controls without a public sentence. Redaction happens here,
before any Markdown exists, because MkDocs' search index holds every word of every page.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from generator import feed, securitytxt
from generator.aws.engine import Result, ResultStatus
from generator.catalog import Control, Status
from generator.company import Company
from generator.leakguard import id_like_words
from generator.markdown import Rendered, environment, write_page
from generator.sources import Sources
from generator.status import Effective

logger = logging.getLogger(__name__)


class GroupState(StrEnum):
    """What customers are told about a criterion group."""

    IN_PLACE = "in_place"
    IN_PROGRESS = "in_progress"
    PLANNED = "planned"


GROUP_LABELS = {
    GroupState.IN_PLACE: "In place",
    GroupState.IN_PROGRESS: "In progress",
    GroupState.PLANNED: "Planned",
}


@dataclass(frozen=True)
class PublicScope:
    name: str
    summary: str
    required: bool


@dataclass(frozen=True)
class PublicGroup:
    id: str
    name: str
    summary: str
    state: GroupState
    statements: list[str]
    monitored: bool
    """True only when the group has automated checks and every one passed in the latest run."""

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.state]


@dataclass(frozen=True)
class PublicTrustCenter:
    """Everything the public site may show, and nothing more."""

    company: Company
    """The company file is public by design: every field of it is meant for customers."""

    framework: str
    scope: list[PublicScope]
    groups: list[PublicGroup]
    updated: dt.date
    logo: Path | None
    """The logo file to publish, or None."""

    verified: dt.date | None
    """The day of the run the statuses rest on (a date only), or None without a run."""

    demo: bool


def public_model(sources: Sources) -> PublicTrustCenter:
    """Copy the customer-facing fields out of the catalog and the run."""
    catalog = sources.catalog
    groups = []
    for group in catalog.criteria.groups:
        public = [c for c in catalog.controls_in(group.id) if c.public]
        if not public:
            continue  # a group with nothing published must not read as "in place" by default
        states = [sources.assess(control).state for control in public]
        state = _group_state(states, [control.status for control in public])
        statements = [control.public for control in public if control.public]
        # A group nobody has started is not shown as monitored, however its checks came out:
        # the badge would read as a practice in place next to "Planned".
        monitored = state is not GroupState.PLANNED and _monitored(
            sources, catalog.controls_in(group.id)
        )
        groups.append(
            PublicGroup(group.id, group.name, group.summary, state, statements, monitored)
        )

    scope = [PublicScope(c.name, c.summary, c.required) for c in catalog.criteria.scope]
    run = sources.run
    return PublicTrustCenter(
        company=catalog.company,
        framework=catalog.criteria.framework,
        scope=scope,
        groups=groups,
        updated=sources.today,
        logo=sources.root / catalog.company.logo if catalog.company.logo else None,
        verified=run.info.finished.date() if run else None,
        demo=bool(run and run.info.demo),
    )


def _monitored(sources: Sources, controls: Sequence[Control]) -> bool:
    # Continuous monitoring is claimed for a group only when automation actually watches it:
    # recent results, and every deciding check passed somewhere and failed or erred nowhere.
    # A check that applied nowhere watches nothing, so it does not count as passing.
    automated = sources.automated
    names = {n for c in controls for n in c.checks if n not in automated.informational}
    if not names or any(name not in automated.results for name in names):
        return False
    if automated.collected is None or sources.now - automated.collected > automated.max_age:
        return False
    return all(_watched(automated.results[name]) for name in names)


def _watched(results: Sequence[Result]) -> bool:
    statuses = {result.status for result in results}
    return ResultStatus.PASS in statuses and statuses <= {
        ResultStatus.PASS,
        ResultStatus.NOT_APPLICABLE,
    }


def render_public(model: PublicTrustCenter, out: Path) -> Rendered:
    """Write the public site's pages and files into ``out``; return the navigation for MkDocs."""
    env = environment("public")
    logo = None
    if model.logo:
        logo = f"assets/logo{model.logo.suffix}"
        (out / "assets").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model.logo, out / logo)

    write_page(env, out, "index.md", "index.md.j2", tc=model, labels=GROUP_LABELS, logo=logo)
    _write(out / securitytxt.PATH, securitytxt.security_txt(model.company, model.updated))
    _write(out / feed.PATH, feed.atom_feed(model.company))

    logger.info("rendered the public Trust Center with %d groups into %s", len(model.groups), out)
    banner = {"banner": "Demo data: statuses come from a demo account."} if model.demo else {}
    return Rendered(
        nav=[{"Trust Center": "index.md"}],
        settings={
            "site_url": str(model.company.site_url),
            "site_name": f"{model.company.name} Trust Center",
        },
        extra=banner,
    )


def public_texts(model: PublicTrustCenter) -> list[str]:
    """Every piece of text the public model holds: what the public site may say."""
    texts = _strings(model.company.model_dump(mode="json"))
    texts += [model.framework]
    texts += [text for scope in model.scope for text in (scope.name, scope.summary)]
    for group in model.groups:
        texts += [group.name, group.summary, *group.statements]
    return texts


def internal_values(sources: Sources) -> list[str]:
    """Every value of an internal field of the catalog: what the public site must not say."""
    values: list[str] = []
    for control in sources.catalog.controls:
        values += [control.title, control.owner, control.description, *control.references]
        values += [text for item in control.evidence for text in (item.title, item.location)]
        values += control.checks
        values += [sources.checks[name].rule for name in control.checks if name in sources.checks]
    if sources.run is not None:
        info = sources.run.info
        values += [*info.accounts, *info.regions, info.id]
        values += [info.organization] if info.organization else []
        for result in sources.run.results:
            values += [result.reason, *result.exports]
            values += [text for f in result.findings for text in (f.resource, f.reason)]
            sentences = [result.reason, *(f.reason for f in result.findings)]
            values += [word for sentence in sentences for word in id_like_words(sentence)]
    return values


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _group_state(states: list[Effective], manual: list[Status]) -> GroupState:
    # "In place" is a promise to customers: every published control must be complete with
    # fresh evidence. Otherwise the group is in progress only when its owners have begun work
    # on a control; a failing check on a control nobody has started is not progress.
    if all(state is Effective.COMPLETE for state in states):
        return GroupState.IN_PLACE
    if any(status is not Status.NOT_STARTED for status in manual):
        return GroupState.IN_PROGRESS
    return GroupState.PLANNED
