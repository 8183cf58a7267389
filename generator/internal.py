"""The internal evidence site: every control, its owner, evidence and status."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.catalog import Catalog, Control, Evidence
from generator.markdown import Rendered, environment, slug, write_page
from generator.sources import Sources
from generator.status import STATES, Effective, effective_status, stale_after

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceRow:
    item: Evidence
    stale_on: dt.date
    stale: bool

    @property
    def fresh_until(self) -> dt.date:
        return self.stale_on - dt.timedelta(days=1)


@dataclass(frozen=True)
class ControlView:
    """A control with everything its pages show about it."""

    control: Control
    state: Effective
    evidence: list[EvidenceRow]

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
    catalog, today = sources.catalog, sources.today
    env = environment("internal")
    views = {control.id: _view(control, today) for control in catalog.controls}
    groups = [_group(catalog, group_id, views) for group_id in _group_ids(catalog)]
    names = {c.id: c.name for group in catalog.criteria.groups for c in group.criteria}
    names |= {c.id: c.name for category in catalog.criteria.scope for c in category.criteria}
    owners = _owners(views.values())
    counts = Counter(view.state for view in views.values())
    common = {
        "company": catalog.company,
        "states": STATES,
        "today": today,
        "checks": sources.checks,
    }

    def write(page: str, template: str, **context: object) -> None:
        write_page(env, out, page, template, **common, **context)

    write("index.md", "dashboard.md.j2", groups=groups, counts=counts, total=len(views))
    write("legend.md", "legend.md.j2")
    write("checklist.md", "checklist.md.j2", groups=groups)
    write("groups/index.md", "groups.md.j2", groups=groups)
    for group in groups:
        write(f"groups/{group.id.lower()}.md", "group.md.j2", group=group)
    for view in views.values():
        criterion_group = catalog.group(view.control.group_id)
        write(f"controls/{view.control.id}.md", "control.md.j2", view=view,
              group=criterion_group, criterion_names=names)  # fmt: skip
    write("owners/index.md", "owners.md.j2", owners=owners)
    for owner, owned in owners.items():
        write(f"owners/{slug(owner)}.md", "owner.md.j2", owner=owner, controls=owned)

    logger.info("rendered internal pages for %d controls into %s", len(views), out)
    return Rendered(
        nav=[
            {"Dashboard": "index.md"},
            {"Criteria": ["groups/index.md"] + [f"groups/{g.id.lower()}.md" for g in groups]},
            {"Owners": "owners/index.md"},
            {"Checklist": "checklist.md"},
            {"Legend": "legend.md"},
        ]
    )


def _view(control: Control, today: dt.date) -> ControlView:
    rows = []
    for item in control.evidence:
        stale_on = stale_after(item.collected, control.frequency)
        rows.append(EvidenceRow(item=item, stale_on=stale_on, stale=today >= stale_on))
    return ControlView(control=control, state=effective_status(control, today), evidence=rows)


def _group_ids(catalog: Catalog) -> list[str]:
    return [group.id for group in catalog.criteria.groups]


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


def _owners(views: Iterable[ControlView]) -> dict[str, list[ControlView]]:
    owners: dict[str, list[ControlView]] = {}
    for view in views:
        owners.setdefault(view.control.owner, []).append(view)
    return dict(sorted(owners.items()))
