"""The catalog: controls, the criteria they support, and the company file, as typed models.

Each model forbids unknown fields so a typo in YAML is an error, not a silently ignored key.
The loader in :mod:`generator.loader` turns YAML into these models and maps validation
errors back to file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from generator.company import Company

CONTROL_ID = re.compile(r"^[1-9](\.[0-9]+){1,2}$")
CRITERION_ID = re.compile(r"^(CC[1-9](\.[0-9]+)?|A1(\.[0-9]+)?|C1(\.[0-9]+)?)$")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Status(StrEnum):
    """Manual status of a control, as the checklist's legend has it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class Frequency(StrEnum):
    """How often a control's evidence must be renewed."""

    CONTINUOUS = "continuous"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class EvidenceKind(StrEnum):
    """What sort of artefact an evidence item is."""

    POLICY = "policy"
    PROCEDURE = "procedure"
    REPORT = "report"
    CONFIG_EXPORT = "config-export"
    LOG = "log"
    SCREENSHOT = "screenshot"
    TICKET = "ticket"


class Strict(BaseModel):
    """Base for catalog models: unknown fields are errors, and models never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Evidence(Strict):
    """One retained artefact showing that a control operates."""

    title: Text
    """What the artefact is, e.g. "Information Security Policy v3, signed"."""

    location: Text
    """Where the artefact is kept: a URL or a path in a repository."""

    kind: EvidenceKind
    """One of policy, procedure, report, config-export, log, screenshot, ticket."""

    collected: dt.date
    """The date the artefact was collected or last renewed (YYYY-MM-DD)."""

    @field_validator("collected")
    @classmethod
    def _not_in_future(cls, value: dt.date) -> dt.date:
        if value > dt.date.today():
            raise ValueError(f"date {value.isoformat()} is in the future")
        return value


class Control(Strict):
    """One checklist item; one YAML file under ``controls/``."""

    id: Annotated[str, StringConstraints(pattern=CONTROL_ID.pattern)]
    """The item's number as in the checklist, e.g. "6.1.4"; the file is named after it."""

    title: Text
    """The item's text as in the checklist."""

    criteria: Annotated[
        list[Annotated[str, StringConstraints(pattern=CRITERION_ID.pattern)]], Field(min_length=1)
    ]
    """TSC criteria the control supports, e.g. [CC6.1, C1.1]."""

    owner: Text
    """The role accountable for the control, e.g. "Cloud Admin"."""

    status: Status
    """Manual status: not_started, in_progress or complete."""

    frequency: Frequency
    """How often evidence is renewed: continuous, monthly, quarterly or annual."""

    description: Text
    """What the control achieves and what an auditor will ask to see (internal only)."""

    evidence: list[Evidence] = Field(default_factory=list)
    """Retained artefacts showing the control operates."""

    checks: list[Text] = Field(default_factory=list)
    """Names of the automated checks that back the control."""

    references: list[Text] = Field(default_factory=list)
    """Documentation links."""

    public: Text | None = None
    """A customer-facing sentence; without it the control is not named on the public site."""

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.id.split("."))

    @property
    def group_id(self) -> str:
        """The criterion group the checklist files the control under, e.g. "CC6"."""
        return f"CC{self.id.split('.')[0]}"


class Criterion(Strict):
    """One TSC criterion, e.g. CC6.1."""

    id: Annotated[str, StringConstraints(pattern=CRITERION_ID.pattern)]
    name: Text


class Group(Strict):
    """A criterion group of the checklist, CC1 to CC9, with the criteria inside it."""

    id: Annotated[str, StringConstraints(pattern=r"^CC[1-9]$")]
    name: Text
    summary: Text
    """What the group is about, in customer language; shown on the public site."""

    criteria: Annotated[list[Criterion], Field(min_length=1)]
    sections: list[Annotated[str, StringConstraints(pattern=CRITERION_ID.pattern)]] = Field(
        default_factory=list
    )
    """Sub-criteria the checklist uses as headings inside this group, e.g. CC6.1 for 6.1.x."""


class Category(Strict):
    """A Trust Services Category in scope: Security, or an add-on such as Availability."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]
    name: Text
    required: bool
    """True for Security, which every SOC 2 report covers; False for add-ons."""

    summary: Text
    criteria: list[Criterion] = Field(default_factory=list)
    """Criteria specific to the category (A1.x, C1.x); Security's are the CC groups."""


class CriteriaFile(Strict):
    """The content of ``controls/criteria.yaml``."""

    framework: Text
    scope: Annotated[list[Category], Field(min_length=1)]
    groups: Annotated[list[Group], Field(min_length=1)]


class Catalog(BaseModel):
    """Everything loaded from disk: the criteria, the controls and the company."""

    model_config = ConfigDict(frozen=True)

    company: Company
    criteria: CriteriaFile
    controls: list[Control]

    def group(self, group_id: str) -> Group:
        return next(group for group in self.criteria.groups if group.id == group_id)

    def controls_in(self, group_id: str) -> list[Control]:
        return [control for control in self.controls if control.group_id == group_id]

    def criterion_ids(self) -> set[str]:
        ids = {c.id for group in self.criteria.groups for c in group.criteria}
        ids |= {group.id for group in self.criteria.groups}
        ids |= {c.id for category in self.criteria.scope for c in category.criteria}
        return ids
