"""Writing Markdown pages from Jinja templates, with text from YAML escaped on the way in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from generator.status import STATES, Effective

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


@dataclass(frozen=True)
class Rendered:
    """What a renderer hands MkDocs besides the pages: navigation and settings."""

    nav: list[object]
    settings: dict[str, Any] = field(default_factory=dict)
    """Config values to override, e.g. ``site_url``."""

    extra: dict[str, Any] = field(default_factory=dict)
    """Values to add to the config's ``extra``, which templates read, e.g. a banner."""


def text(value: object) -> str:
    """Escape text so Markdown shows it as written, even inside a table cell.

    Catalog text is data, not markup: a ``|`` would end a table cell, a ``<`` could open raw
    HTML, and ``*`` or ``_`` would turn words into emphasis.
    """
    escaped = _SPECIAL.sub(r"\\\1", str(value).replace("&", "&amp;"))
    return " ".join(escaped.split())


def badge(state: Effective) -> str:
    """A status badge whose visible text is also its accessible name."""
    info = STATES[state]
    return (
        f'<span class="tc-badge tc-badge--{state.value}" role="img" '
        f'aria-label="Status: {info.label}">{info.mark} {info.label}</span>'
    )


RESULT_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "error": "Error",
    "not_applicable": "Not applicable",
}


def result_label(status: object) -> str:
    """A result's status as a reader would say it: ``not_applicable`` reads "Not applicable"."""
    return RESULT_LABELS[str(status)]


def slug(value: str) -> str:
    """A file-name-safe slug: "HR / Cloud Admin" becomes "hr-cloud-admin"."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def environment(audience: str) -> Environment:
    """A Jinja environment for one audience's templates; unknown names are errors, not blanks."""
    env = Environment(
        loader=PackageLoader("generator", f"templates/{audience}"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is Markdown; the `text` filter escapes values instead
    )
    env.filters["text"] = text
    env.filters["badge"] = badge
    env.filters["slug"] = slug
    env.filters["result_label"] = result_label
    env.tests["url"] = is_url
    return env


def write_page(env: Environment, folder: Path, page: str, template: str, **context: Any) -> Path:
    """Render ``template`` into ``folder/page`` and return the path written."""
    path = folder / page
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(env.get_template(template).render(**context), encoding="utf-8")
    return path
