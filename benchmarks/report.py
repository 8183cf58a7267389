"""Plain-text tables for the terminal, and the figures' JSON file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Table:
    """One table: a title, column headings, rows of cells, and notes printed under it."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append([cell if isinstance(cell, str) else fmt(cell) for cell in cells])

    def render(self) -> str:
        widths = [
            max(len(text) for text in [header, *(row[i] for row in self.rows)])
            for i, header in enumerate(self.headers)
        ]
        rule = "  ".join("-" * width for width in widths)
        lines = [self.title, "=" * len(self.title), _line(self.headers, widths), rule]
        lines += [_line(row, widths) for row in self.rows]
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def fmt(value: Any) -> str:
    """Format a figure for a table cell: floats to 2 significant places, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator / denominator, or None when either is missing or the divisor is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def write_json(path: Path, figures: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(
        cell.ljust(width) if i == 0 else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ).rstrip()
