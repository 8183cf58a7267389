"""Read YAML while remembering the line of every key and item, so errors can point at them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Problem

logger = logging.getLogger(__name__)

# libyaml's parser, where PyYAML was built with it, reads a large catalog several times faster
# than the pure-Python one; both keep the line marks errors need.
Loader = yaml.SafeLoader | yaml.CSafeLoader
LOADER: type[Loader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Location = tuple[str | int, ...]
"""A path into a document: mapping keys and list indexes, e.g. ("evidence", 0, "kind")."""


@dataclass
class Document:
    """A parsed YAML file and the line on which each of its values starts."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """The line of the deepest part of ``location`` that exists in the file."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1

    def problem(self, location: Location, message: str, hint: str = "") -> Problem:
        """A problem with the value at ``location``, pointing at its line and field."""
        return Problem(self.path, self.line_of(location), dotted(location), message, hint)


def read_document(path: Path, shown_as: Path) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML file; on a syntax error return no document and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        hint = "Save it as UTF-8 text readable by the user running trustcenter."
        return None, [Problem(shown_as, 1, "", f"cannot be read: {error}", hint)]

    loader = LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        what = error.problem or str(error)
        hint = "Fix the YAML syntax; the line may be just after the real mistake."
        return None, [Problem(shown_as, line, "", f"is not valid YAML: {what}", hint)]
    except yaml.YAMLError as error:
        return None, [Problem(shown_as, 1, "", f"is not valid YAML: {error}")]
    finally:
        loader.dispose()

    document = Document(path=shown_as, data=None)
    if node is None:
        return document, []
    problems: list[Problem] = []
    document.data = _build(loader, node, (), document, problems)
    return document, problems


def _build(
    loader: Loader,
    node: yaml.Node,
    location: Location,
    document: Document,
    problems: list[Problem],
) -> Any:
    document.lines.setdefault(location, node.start_mark.line + 1)

    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int):
                message = f"has a key that is not text: {key!r}"
                hint = "Field names are words, e.g. owner: or status:."
                problems.append(Problem(document.path, line, "", message, hint))
                continue
            if key in mapping:
                field_path = dotted((*location, key))
                problems.append(
                    Problem(
                        document.path, line, field_path, "is given twice", "Keep only one of them."
                    )
                )
            document.lines[(*location, key)] = line
            mapping[key] = _build(loader, value_node, (*location, key), document, problems)
        return mapping

    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*location, index), document, problems)
            for index, item in enumerate(node.value)
        ]

    return _scalar(loader, node)


def _scalar(loader: Loader, node: yaml.Node) -> Any:
    # PyYAML recognises 2025-13-01 as a timestamp and then fails to build it with a bare
    # ValueError; keeping the raw text lets schema validation report it as a bad date.
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:
        return node.value


def dotted(location: Location) -> str:
    """The location as a field path, e.g. ``evidence[0].kind``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
