"""Load the catalog from disk and report every problem at once, each with file, line and field.

Validation has two stages. The first parses YAML while keeping line marks
(:mod:`generator.yamlfile`); the second validates each document against its pydantic model
and maps every error back to a line. Rules that need more than one field or file
(:mod:`generator.consistency`: duplicate ids, unknown criteria, unknown checks) run last, over
everything that loaded.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import typing
from collections.abc import Collection
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.catalog import Catalog, Control, CriteriaFile
from generator.company import Company
from generator.consistency import (
    check_problems,
    company_problems,
    control_criteria_problems,
    criteria_problems,
    evidence_problems,
    identity_problems,
)
from generator.problems import InputError, Problem, did_you_mean
from generator.yamlfile import Document, Location, read_document

logger = logging.getLogger(__name__)

CONTROLS_DIR = "controls"
CRITERIA_FILE = "controls/criteria.yaml"
COMPANY_FILE = "trustcenter.yaml"

Model = TypeVar("Model", bound=BaseModel)

FUTURE_DATE_HINT = "Give the day the artefact was actually collected, today or earlier."

GROUP_FOLDER = re.compile(r"cc[1-9]")
"""Control files sit one level down, in a folder named after their group: controls/cc6/."""


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
        problems += company_problems(root, *company)
    if criteria is not None:
        problems += criteria_problems(*criteria)
        problems += control_criteria_problems(controls, criteria[1], CRITERIA_FILE)
    problems += identity_problems(controls)
    problems += evidence_problems(root, controls)
    problems += check_problems(controls, known_checks)

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
        hint = "Create it with one file per control."
        problems.append(Problem(shown(folder), 1, "", "is missing", hint))
        return []

    # A control file anywhere else would be skipped without a word, and the catalog would
    # silently lose a control: every YAML file under controls/ is either loaded or named.
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")):
        if path == root / CRITERIA_FILE:
            continue
        if path.parent.parent == folder and GROUP_FOLDER.fullmatch(path.parent.name):
            files.append(path)
            continue
        message = "is not inside a criterion group folder"
        hint = "Move it into the folder of its criterion group, e.g. controls/cc6/."
        problems.append(Problem(shown(path), 1, "", message, hint))
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
        problems += [_schema_problem(document, model, detail) for detail in error.errors()]
        return document, None


def _schema_problem(document: Document, model: type[BaseModel], error: ErrorDetails) -> Problem:
    location: Location = tuple(error["loc"])
    kind = error["type"]
    given = error.get("input")

    if kind == "missing":
        description = _description(_model_at(model, location[:-1]), str(location[-1]))
        return document.problem(location, "is required but missing", f"Add it: {description}")

    if kind == "extra_forbidden":
        parent = _model_at(model, location[:-1])
        names = list(parent.model_fields) if parent else []
        guess = difflib.get_close_matches(str(location[-1]), names, n=1)
        hint = f"Did you mean '{guess[0]}'?" if guess else f"Known fields: {', '.join(names)}."
        return document.problem(location, "is not a known field", hint)

    if kind == "enum":
        expected = str(error["ctx"]["expected"]).replace(" or ", ", ")
        allowed = [value.strip("'") for value in expected.split(", ")]
        hint = did_you_mean(str(given), allowed) + f"Use one of: {', '.join(allowed)}."
        return document.problem(location, f"'{given}' is not allowed", hint)

    if kind.startswith("date"):
        reason = str(error.get("ctx", {}).get("error", "not a date"))
        message = f"'{given}' is not a valid date ({reason})"
        return document.problem(location, message, "Write it as YYYY-MM-DD.")

    if kind == "string_pattern_mismatch" and location[-1] == "id":
        message = f"'{given}' is not a checklist id"
        return document.problem(location, message, 'Write it like "6.1.4".')

    if kind == "string_pattern_mismatch":
        message = f"'{given}' is not a TSC criterion id"
        return document.problem(location, message, "Write it like CC6.1, A1.2 or C1.1.")

    if kind == "string_type" and isinstance(given, int | float) and not isinstance(given, bool):
        message = f"expected text, got the number {given}"
        return document.problem(location, message, f'Quote it: "{given}".')

    if kind in {"string_type", "list_type", "bool_type", "bool_parsing", "model_type", "dict_type"}:
        wanted = {
            "string_type": "text",
            "list_type": "a list",
            "model_type": "a mapping",
            "dict_type": "a mapping",
        }
        expected = wanted.get(kind, "true or false")
        hint = f"Write {expected} here, as the other control files do."
        return document.problem(location, f"expected {expected}, got {_kind(given)}", hint)

    if kind in {"string_too_short", "too_short"}:
        return document.problem(location, "must not be empty", "Fill it in or remove it.")

    message = error["msg"].removeprefix("Value error, ")
    hint = FUTURE_DATE_HINT if "in the future" in message else ""
    return document.problem(location, message[0].lower() + message[1:], hint)


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


__all__ = ["COMPANY_FILE", "CRITERIA_FILE", "load_catalog", "shown"]
