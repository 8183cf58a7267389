"""Load the catalog from disk and report every problem at once, each with file, line and field.

Validation has two stages. The first parses YAML while keeping line marks
(:mod:`generator.yamlfile`); the second validates each document against its pydantic model
and maps every error back to a line. Checks that need more than one file (duplicate ids,
unknown criteria, unknown checks) run last, over everything that loaded.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import os
import typing
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.catalog import Catalog, Control, CriteriaFile
from generator.company import Company
from generator.problems import InputError, Problem
from generator.yamlfile import Document, Location, dotted, read_document

logger = logging.getLogger(__name__)

CONTROLS_DIR = "controls"
CRITERIA_FILE = "controls/criteria.yaml"
COMPANY_FILE = "trustcenter.yaml"

Model = TypeVar("Model", bound=BaseModel)


def load_catalog(root: Path, known_checks: Collection[str]) -> Catalog:
    """Load and validate the catalog under ``root``; raise InputError listing every problem."""
    problems: list[Problem] = []

    company = _load_model(root / COMPANY_FILE, Company, problems)
    criteria = _load_model(root / CRITERIA_FILE, CriteriaFile, problems)

    controls: list[tuple[Document, Control]] = []
    for path in _control_files(root, problems):
        document, control = _load_document(path, Control, problems)
        if document is not None and control is not None:
            controls.append((document, control))

    if company is not None:
        problems += _company_problems(root, *company)
    if criteria is not None:
        problems += _criteria_problems(criteria[0], criteria[1])
        problems += _control_criteria_problems(controls, criteria[1])
    problems += _identity_problems(controls)
    problems += _check_problems(controls, known_checks)

    if problems:
        raise InputError(problems)
    assert company is not None and criteria is not None  # no problems means both loaded

    ordered = sorted((control for _, control in controls), key=lambda c: c.sort_key)
    logger.info("loaded %d controls from %s", len(ordered), root / CONTROLS_DIR)
    return Catalog(company=company[1], criteria=criteria[1], controls=ordered)


def shown(path: Path) -> Path:
    """The path as the user should see it: relative to the working folder when inside it."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:
        return path


def _control_files(root: Path, problems: list[Problem]) -> list[Path]:
    folder = root / CONTROLS_DIR
    if not folder.is_dir():
        problems.append(
            Problem(shown(folder), 1, "", "is missing", "Create it with one file per control.")
        )
        return []

    files = sorted(folder.glob("cc*/*.yaml")) + sorted(folder.glob("cc*/*.yml"))
    for stray in sorted(folder.glob("*.y*ml")):
        if stray != root / CRITERIA_FILE:
            hint = "Move it into the folder of its criterion group, e.g. controls/cc6/."
            problems.append(
                Problem(shown(stray), 1, "", "is not inside a criterion group folder", hint)
            )
    return files


def _load_model(
    path: Path, model: type[Model], problems: list[Problem]
) -> tuple[Document, Model] | None:
    if not path.is_file():
        problems.append(Problem(shown(path), 1, "", "is missing", "The catalog needs this file."))
        return None
    document, value = _load_document(path, model, problems)
    if document is None or value is None:
        return None
    return document, value


def _load_document(
    path: Path, model: type[Model], problems: list[Problem]
) -> tuple[Document | None, Model | None]:
    document, found = read_document(path, shown(path))
    problems += found
    if document is None:
        return None, None

    if not isinstance(document.data, dict):
        kind = "empty" if document.data is None else _kind(document.data)
        hint = "Write it as a mapping of field: value lines."
        problems.append(Problem(document.path, 1, "", f"is {kind}, not a mapping of fields", hint))
        return document, None

    try:
        return document, model.model_validate(document.data)
    except ValidationError as error:
        problems += [_problem(document, model, detail) for detail in error.errors()]
        return document, None


def _problem(document: Document, model: type[BaseModel], error: ErrorDetails) -> Problem:
    location: Location = tuple(error["loc"])
    line = document.line_of(location)
    field = dotted(location)
    kind = error["type"]
    given = error.get("input")

    if kind == "missing":
        parent = _model_at(model, location[:-1])
        description = _description(parent, str(location[-1]))
        return Problem(
            document.path, line, field, "is required but missing", f"Add it: {description}"
        )

    if kind == "extra_forbidden":
        parent = _model_at(model, location[:-1])
        names = list(parent.model_fields) if parent else []
        guess = difflib.get_close_matches(str(location[-1]), names, n=1)
        hint = f"Did you mean '{guess[0]}'?" if guess else f"Known fields: {', '.join(names)}."
        return Problem(document.path, line, field, "is not a known field", hint)

    if kind == "enum":
        allowed = [
            value.strip("'")
            for value in str(error["ctx"]["expected"]).replace(" or ", ", ").split(", ")
        ]
        guess = difflib.get_close_matches(str(given), allowed, n=1)
        hint = f"Did you mean '{guess[0]}'? " if guess else ""
        return Problem(
            document.path,
            line,
            field,
            f"'{given}' is not allowed",
            f"{hint}Use one of: {', '.join(allowed)}.",
        )

    if kind.startswith("date"):
        reason = str(error.get("ctx", {}).get("error", "not a date"))
        return Problem(
            document.path,
            line,
            field,
            f"'{given}' is not a valid date ({reason})",
            "Write it as YYYY-MM-DD.",
        )

    if kind == "string_pattern_mismatch" and location[-1] == "id":
        return Problem(
            document.path, line, field, f"'{given}' is not a checklist id", 'Write it like "6.1.4".'
        )

    if kind == "string_pattern_mismatch":
        return Problem(
            document.path,
            line,
            field,
            f"'{given}' is not a TSC criterion id",
            "Write it like CC6.1, A1.2 or C1.1.",
        )

    if kind == "string_type" and isinstance(given, int | float) and not isinstance(given, bool):
        return Problem(
            document.path,
            line,
            field,
            f"expected text, got the number {given}",
            f'Quote it: "{given}".',
        )

    if kind in {"string_type", "list_type", "bool_type", "bool_parsing", "model_type", "dict_type"}:
        wanted = {
            "string_type": "text",
            "list_type": "a list",
            "model_type": "a mapping",
            "dict_type": "a mapping",
        }
        expected = wanted.get(kind, "true or false")
        return Problem(document.path, line, field, f"expected {expected}, got {_kind(given)}", "")

    if kind in {"string_too_short", "too_short"}:
        return Problem(document.path, line, field, "must not be empty", "Fill it in or remove it.")

    message = error["msg"].removeprefix("Value error, ")
    return Problem(document.path, line, field, message[0].lower() + message[1:], "")


def _model_at(model: type[BaseModel], location: Location) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``location``, following lists and unions."""
    current: Any = model
    for part in location:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _model_in(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _description(model: type[BaseModel] | None, name: str) -> str:
    info = model.model_fields.get(name) if model else None
    return info.description if info and info.description else f"the field '{name}'."


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    names = {str: "text", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return names.get(type(value), "nothing" if value is None else type(value).__name__)


def _company_problems(root: Path, document: Document, company: Company) -> list[Problem]:
    problems: list[Problem] = []
    if company.logo and not (root / company.logo).is_file():
        location: Location = ("logo",)
        problems.append(
            Problem(document.path, document.line_of(location), "logo",
                    f"'{company.logo}' is not a file", "Give a path relative to the project.")
        )  # fmt: skip

    settings = company.security_txt
    days_left = (settings.expires - dt.date.today()).days
    if days_left < settings.min_days_valid:
        location = ("security_txt", "expires")
        when = "is in the past" if days_left < 0 else f"is only {days_left} days away"
        problems.append(
            Problem(document.path, document.line_of(location), "security_txt.expires",
                    f"{settings.expires.isoformat()} {when} (security.txt must stay valid for "
                    f"at least {settings.min_days_valid} days)",
                    "Move it later; RFC 9116 advises less than a year ahead.")
        )  # fmt: skip
    return problems


def _criteria_problems(document: Document, criteria: CriteriaFile) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for group_index, group in enumerate(criteria.groups):
        ids = [group.id] + [criterion.id for criterion in group.criteria]
        for criterion_index, criterion in enumerate(group.criteria):
            location: Location = ("groups", group_index, "criteria", criterion_index, "id")
            if not criterion.id.startswith(group.id + "."):
                problems.append(
                    Problem(
                        document.path,
                        document.line_of(location),
                        dotted(location),
                        f"'{criterion.id}' does not belong to group {group.id}",
                        "",
                    )
                )
        for section_index, section in enumerate(group.sections):
            if section not in ids:
                location = ("groups", group_index, "sections", section_index)
                problems.append(
                    Problem(
                        document.path,
                        document.line_of(location),
                        dotted(location),
                        f"'{section}' is not a criterion of {group.id}",
                        "List it under criteria first.",
                    )
                )
        for duplicate in seen & set(ids):
            location = ("groups", group_index)
            problems.append(
                Problem(
                    document.path,
                    document.line_of(location),
                    dotted(location),
                    f"'{duplicate}' is defined twice",
                    "",
                )
            )
        seen |= set(ids)
    return problems


def _control_criteria_problems(
    controls: Iterable[tuple[Document, Control]], criteria: CriteriaFile
) -> list[Problem]:
    catalog_ids = {group.id for group in criteria.groups}
    catalog_ids |= {c.id for group in criteria.groups for c in group.criteria}
    catalog_ids |= {c.id for category in criteria.scope for c in category.criteria}
    groups = {group.id for group in criteria.groups}

    problems: list[Problem] = []
    for document, control in controls:
        for index, criterion in enumerate(control.criteria):
            if criterion not in catalog_ids:
                guess = difflib.get_close_matches(criterion, sorted(catalog_ids), n=1)
                hint = f"Did you mean '{guess[0]}'? " if guess else ""
                problems.append(
                    Problem(
                        document.path,
                        document.line_of(("criteria", index)),
                        f"criteria[{index}]",
                        f"'{criterion}' is not a criterion in {CRITERIA_FILE}",
                        f"{hint}Add it there or fix the id.",
                    )
                )
        if control.group_id not in groups:
            problems.append(
                Problem(
                    document.path,
                    document.line_of(("id",)),
                    "id",
                    f"'{control.id}' belongs to {control.group_id}, missing from {CRITERIA_FILE}",
                    "",
                )
            )
        elif not any(
            c == control.group_id or c.startswith(control.group_id + ".") for c in control.criteria
        ):
            problems.append(
                Problem(
                    document.path,
                    document.line_of(("criteria",)),
                    "criteria",
                    f"lists no criterion of its own group {control.group_id}",
                    f"Add one, e.g. {control.group_id}.1.",
                )
            )
    return problems


def _identity_problems(controls: Iterable[tuple[Document, Control]]) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    for document, control in controls:
        line = document.line_of(("id",))
        stem = document.path.stem
        if stem != control.id and not stem.startswith(control.id + "-"):
            problems.append(
                Problem(
                    document.path,
                    line,
                    "id",
                    f"'{control.id}' does not match the file name '{document.path.name}'",
                    f"Rename the file to {control.id}.yaml or fix the id.",
                )
            )
        folder = f"cc{control.id.split('.')[0]}"
        if document.path.parent.name != folder:
            problems.append(
                Problem(
                    document.path,
                    line,
                    "id",
                    f"'{control.id}' is filed under {document.path.parent.name}/",
                    f"Move it to controls/{folder}/.",
                )
            )
        if control.id in first_seen:
            problems.append(
                Problem(
                    document.path,
                    line,
                    "id",
                    f"'{control.id}' is also the id of {first_seen[control.id]}",
                    "Each control needs its own id.",
                )
            )
        else:
            first_seen[control.id] = document.path
    return problems


def _check_problems(
    controls: Iterable[tuple[Document, Control]], known: Collection[str]
) -> list[Problem]:
    problems: list[Problem] = []
    for document, control in controls:
        for index, name in enumerate(control.checks):
            if name in known:
                continue
            guess = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f"Did you mean '{guess[0]}'? " if guess else ""
            problems.append(
                Problem(
                    document.path,
                    document.line_of(("checks", index)),
                    f"checks[{index}]",
                    f"'{name}' is not a known check",
                    f"{hint}`trustcenter checks` lists them.",
                )
            )
    return problems


__all__ = ["COMPANY_FILE", "CRITERIA_FILE", "load_catalog", "shown"]
