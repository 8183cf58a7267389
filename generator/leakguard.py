"""The last gate before the public site is published: search every file for internal data.

The public site is rendered from an allowlisted model, so nothing internal should reach it.
This guard does not trust that: it reads every file of the built output, the search index
and sitemap included, and looks for what must never be there: AWS account ids, ARNs,
resource ids, email addresses other than the published contacts, private hosts, and every
value of an internal field of the catalog and the run.
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick
import material

logger = logging.getLogger(__name__)

PATTERNS = {
    # Twelve digits on their own; a full stop may end the sentence but not start a decimal.
    "AWS account id": re.compile(r"(?<![\w.-])\d{12}(?![\w-]|\.\d)"),
    "ARN": re.compile(r"\barn:aws[\w-]*:[\w-]+:[\w-]*:\d{0,12}:[\w/:.+=@-]+"),
    "AWS resource id": re.compile(
        r"\b(?:sg|vpc|subnet|i|vol|snap|eni|igw|nat|rtb|acl|ami|vpce|tgw|pcx|fl|key|eipalloc)"
        r"-(?:[0-9a-f]{8}|[0-9a-f]{17})\b"
    ),
    # Access key ids and the unique ids IAM gives users, roles, groups and policies.
    "AWS access key or unique id": re.compile(
        r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{16,17}\b"
    ),
    # Organization and root ids carry at least one digit, which keeps hyphenated words out.
    "AWS Organizations id": re.compile(
        r"\b(?:o-(?=[a-z0-9]*\d)[a-z0-9]{10,32}|r-(?=[a-z0-9]*\d)[a-z0-9]{4,32}"
        r"|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})\b"
    ),
    # KMS key ids, request ids and many other AWS ids are UUIDs.
    "UUID": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
    "email address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "private host": re.compile(
        r"(?<![\w.-])(?:localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|"
        r"172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|[\w-]+(?:\.[\w-]+)*\.(?:internal|local|corp|lan|intranet))"
        r"(?![\w-])"
    ),
}

# Files Material ships (scripts, styles, the favicon) are not generated from our data; their
# minified code is full of long numbers that only look like account ids. They are skipped
# only while byte for byte what the installed theme ships, so a file of ours placed among
# them is still read.
THEME_ASSETS = ("assets/javascripts/", "assets/stylesheets/", "assets/images/favicon")
THEME_FILES = Path(material.__file__).parent / "templates"

# An id inside an internal sentence ("Key 1234abcd-... has rotation off") must not leak on
# its own either: words of eight or more characters that mix letters and digits.
ID_LIKE = re.compile(r"(?<![\w-])(?=[\w:/.-]*\d)(?=[\w:/.-]*[a-zA-Z])[\w:/.-]{8,}(?<![.:/-])")


@dataclass(frozen=True)
class Leak:
    """Something internal found in a public file."""

    file: Path
    """Relative to the site folder scanned."""

    kind: str
    match: str

    def __str__(self) -> str:
        return f"{self.file}: {self.kind} '{self.match}'"


def scan(site: Path, internal_values: Iterable[str], allowed: Iterable[str] = ()) -> list[Leak]:
    """Return every leak in the files under ``site``.

    ``internal_values`` are strings that must not appear anywhere (matched as whole words,
    ignoring case; single short words are left out, see ``_distinctive``); ``allowed`` are
    strings that may, such as the published contact address.
    """
    permitted = {value.lower() for value in allowed}
    values = _automaton(v.strip() for v in internal_values if _distinctive(v.strip()))

    leaks: list[Leak] = []
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if not path.is_file() or _shipped_by_theme(path, relative):
            continue
        text = _read(path)
        for kind, pattern in PATTERNS.items():
            leaks += [
                Leak(Path(relative), kind, found)
                for found in sorted(set(pattern.findall(text)))
                if found.lower() not in permitted
            ]
        found_values = _whole_words(values, text) if values is not None else set()
        leaks += [Leak(Path(relative), "internal value", f) for f in sorted(found_values)]

    logger.info("leak guard read %s: %d leaks", site, len(leaks))
    return leaks


def id_like_words(text: str) -> list[str]:
    """The words of ``text`` that look like ids: eight or more characters, letters and digits."""
    return ID_LIKE.findall(text)


def _shipped_by_theme(path: Path, relative: str) -> bool:
    if not relative.startswith(THEME_ASSETS):
        return False
    shipped = THEME_FILES / relative
    return shipped.is_file() and shipped.read_bytes() == path.read_bytes()


def _distinctive(value: str) -> bool:
    # A single ordinary word, such as an owner called "Compliance", also names a heading of
    # the public page; searching for it would only find the page itself. Phrases, paths, URLs
    # and ids are specific enough that finding one is a leak.
    return len(value) >= 15 or (len(value) >= 3 and not value.isalpha())


def _automaton(values: Iterable[str]) -> ahocorasick.Automaton | None:
    # Aho-Corasick finds every one of tens of thousands of values in one pass over a file;
    # a regular expression alternation would try each value at each position.
    automaton = ahocorasick.Automaton()
    for value in values:
        automaton.add_word(value.lower(), len(value))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _whole_words(automaton: ahocorasick.Automaton, text: str) -> set[str]:
    lowered = text.lower()
    # Lower-casing can change a string's length (a dotted capital I); then report the match
    # as lower-cased text rather than slice the original at the wrong place.
    source = text if len(lowered) == len(text) else lowered
    found = set()
    for end, length in automaton.iter(lowered):
        start = end - length + 1
        before = lowered[start - 1] if start > 0 else " "
        after = lowered[end + 1] if end + 1 < len(lowered) else " "
        if not _word_character(before) and not _word_character(after):
            found.add(source[start : end + 1])
    return found


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def _read(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")
