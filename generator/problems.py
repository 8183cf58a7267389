"""Problems found in user input, each pointing at a file, a line and a field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.leakguard import Leak


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, and how to fix it."""

    file: Path
    line: int
    field: str
    """Dotted path of the field inside the file, e.g. ``evidence[0].kind``; empty for the file."""

    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}:{field} {self.message}.{hint}"


class InputError(Exception):
    """The input has problems; nothing was written. Carries every problem found at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        files = len({problem.file for problem in self.problems})
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} {noun} in {files} file(s)")


def did_you_mean(given: str, choices: Iterable[str]) -> str:
    """The start of a hint naming the choice closest to ``given``, or "" when none is close."""
    guess = difflib.get_close_matches(given, sorted(choices), n=1)
    return f"Did you mean '{guess[0]}'? " if guess else ""


class BuildError(Exception):
    """A site could not be built or published; the previous output was left untouched."""


class LeakError(BuildError):
    """The leak guard found internal data in the public output, which was not published."""

    def __init__(self, leaks: list[Leak]) -> None:
        self.leaks = leaks
        super().__init__(f"the leak guard found {len(leaks)} internal item(s) in the public site")
