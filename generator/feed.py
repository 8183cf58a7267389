"""The Atom feed of the company's dated updates, so customers can follow them in a reader."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from generator.company import Company
from generator.markdown import slug

PATH = "updates.xml"
ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(company: Company) -> str:
    """Return the feed as XML text, newest update first."""
    site = str(company.site_url).rstrip("/")
    updates = sorted(company.updates, key=lambda update: update.date, reverse=True)
    newest = updates[0].date if updates else dt.date(1970, 1, 1)

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", f"{company.name} Trust Center updates")
    _text(feed, "id", f"{site}/{PATH}")
    _text(feed, "updated", _timestamp(newest))
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{site}/{PATH}", rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{site}/", rel="alternate")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", company.name)

    for update in updates:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", update.title)
        # An id that stays the same when updates are added or reordered: date and title.
        _text(entry, "id", f"{site}/#update-{update.date.isoformat()}-{slug(update.title)}")
        _text(entry, "updated", _timestamp(update.date))
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{site}/#updates", rel="alternate")
        _text(entry, "summary", update.body)

    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = value


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
