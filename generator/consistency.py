"""Rules that need more than one field or file, run once every document has loaded.

Schema validation judges each value on its own; these rules compare values with each other
(a date with today, a control's id with its file name, its criteria with the criteria file,
its checks with the check registry). Each returns every problem it finds, pointing at the
line of the field concerned.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from pathlib import Path

from generator.catalog import Control, CriteriaFile
from generator.company import Company
from generator.problems import Problem, did_you_mean
from generator.yamlfile import Document, Location

URL_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
"""Evidence at a URL (https://, s3://...) is taken as given; anything else is a path."""


def company_problems(root: Path, document: Document, company: Company) -> list[Problem]:
    """The logo must be a file, and security.txt must stay valid long enough."""
    problems: list[Problem] = []
    if company.logo and not (root / company.logo).is_file():
        message = f"'{company.logo}' is not a file"
        hint = "Give a path relative to the project."
        problems.append(document.problem(("logo",), message, hint))

    settings = company.security_txt
    if (settings.expires is None) == (settings.valid_for_days is None):
        message = "needs exactly one of expires (a date) and valid_for_days (a number of days)"
        hint = "Use valid_for_days when the site is rebuilt regularly, expires otherwise."
        problems.append(document.problem(("security_txt",), message, hint))
        return problems

    today = dt.date.today()
    expiry = settings.expiry(today)
    days_left = (expiry - today).days
    if days_left < settings.min_days_valid:
        field = "expires" if settings.expires is not None else "valid_for_days"
        when = "is in the past" if days_left < 0 else f"is only {days_left} days away"
        message = (
            f"{expiry.isoformat()} {when} (security.txt must stay valid for "
            f"at least {settings.min_days_valid} days)"
        )
        hint = "Move it later; RFC 9116 advises less than a year ahead."
        problems.append(document.problem(("security_txt", field), message, hint))
    return problems


def criteria_problems(document: Document, criteria: CriteriaFile) -> list[Problem]:
    """Criteria belong to their group, sections name criteria of it, and no id comes twice."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for group_index, group in enumerate(criteria.groups):
        at: Location = ("groups", group_index)
        ids = [group.id] + [criterion.id for criterion in group.criteria]

        for criterion_index, criterion in enumerate(group.criteria):
            if not criterion.id.startswith(group.id + "."):
                message = f"'{criterion.id}' does not belong to group {group.id}"
                hint = f"Move it to the group its id starts with, or write it like {group.id}.1."
                location = (*at, "criteria", criterion_index, "id")
                problems.append(document.problem(location, message, hint))

        for section_index, section in enumerate(group.sections):
            if section not in ids:
                message = f"'{section}' is not a criterion of {group.id}"
                hint = "List it under criteria first."
                problems.append(document.problem((*at, "sections", section_index), message, hint))

        for duplicate in seen & set(ids):
            message = f"'{duplicate}' is defined twice"
            hint = "Keep one definition and remove the other."
            problems.append(document.problem(at, message, hint))
        seen |= set(ids)
    return problems


def control_criteria_problems(
    controls: Iterable[tuple[Document, Control]], criteria: CriteriaFile, criteria_file: str
) -> list[Problem]:
    """Each criterion a control lists exists, and one of them is in the control's own group.

    ``criteria_file`` is how messages name the file that defines the criteria.
    """
    catalog_ids = {group.id for group in criteria.groups}
    catalog_ids |= {c.id for group in criteria.groups for c in group.criteria}
    catalog_ids |= {c.id for category in criteria.scope for c in category.criteria}
    groups = {group.id for group in criteria.groups}

    problems: list[Problem] = []
    for document, control in controls:
        for index, criterion in enumerate(control.criteria):
            if criterion not in catalog_ids:
                message = f"'{criterion}' is not a criterion in {criteria_file}"
                hint = did_you_mean(criterion, catalog_ids) + "Add it there or fix the id."
                problems.append(document.problem(("criteria", index), message, hint))

        own = control.group_id
        if own not in groups:
            message = f"'{control.id}' belongs to {own}, missing from {criteria_file}"
            hint = f"Add group {own} to {criteria_file}, or fix the id."
            problems.append(document.problem(("id",), message, hint))
        elif not any(c == own or c.startswith(own + ".") for c in control.criteria):
            message = f"lists no criterion of its own group {own}"
            problems.append(document.problem(("criteria",), message, f"Add one, e.g. {own}.1."))
    return problems


def identity_problems(controls: Iterable[tuple[Document, Control]]) -> list[Problem]:
    """Each control's id matches its file name and folder, and no two controls share an id."""
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    for document, control in controls:
        path = document.path
        if path.stem != control.id and not path.stem.startswith(control.id + "-"):
            message = f"'{control.id}' does not match the file name '{path.name}'"
            hint = f"Rename the file to {control.id}.yaml or fix the id."
            problems.append(document.problem(("id",), message, hint))

        folder = f"cc{control.id.split('.')[0]}"
        if path.parent.name != folder:
            message = f"'{control.id}' is filed under {path.parent.name}/"
            problems.append(document.problem(("id",), message, f"Move it to controls/{folder}/."))

        if control.id in first_seen:
            message = f"'{control.id}' is also the id of {first_seen[control.id]}"
            problems.append(document.problem(("id",), message, "Each control needs its own id."))
        else:
            first_seen[control.id] = path
    return problems


def evidence_problems(root: Path, controls: Iterable[tuple[Document, Control]]) -> list[Problem]:
    """Evidence kept in the repository is there: a location without a URL scheme is a path."""
    problems: list[Problem] = []
    for document, control in controls:
        for index, item in enumerate(control.evidence):
            if URL_SCHEME.match(item.location) or (root / item.location).exists():
                continue
            message = f"'{item.location}' is neither a URL nor a file in the repository"
            hint = "Give a URL (https://..., s3://...) or a path relative to the project folder."
            problems.append(document.problem(("evidence", index, "location"), message, hint))
    return problems


def check_problems(
    controls: Iterable[tuple[Document, Control]], known: Collection[str]
) -> list[Problem]:
    """Every check a control names is in the check registry."""
    problems: list[Problem] = []
    for document, control in controls:
        for index, name in enumerate(control.checks):
            if name not in known:
                message = f"'{name}' is not a known check"
                hint = did_you_mean(name, known) + "`trustcenter checks` lists them."
                problems.append(document.problem(("checks", index), message, hint))
    return problems
