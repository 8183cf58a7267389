"""What the sites are built from: the catalog, the registered checks, and the build date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.catalog import Catalog
from generator.checks.base import Check


@dataclass(frozen=True)
class Sources:
    """Everything one build reads, gathered once so each site renders from the same facts."""

    root: Path
    """The project folder, for files the catalog names by path (the company logo)."""

    catalog: Catalog
    checks: Mapping[str, Check]
    today: dt.date
