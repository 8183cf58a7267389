"""The ``/.well-known/security.txt`` file of the public site, as RFC 9116 lays it out."""

from __future__ import annotations

import datetime as dt

from generator.company import Company

PATH = ".well-known/security.txt"


def security_txt(company: Company, today: dt.date) -> str:
    """Return the file's text: contacts first, as the RFC recommends, then the other fields."""
    settings = company.security_txt
    site = str(company.site_url).rstrip("/")
    lines = [f"Contact: mailto:{company.contact.email}"]
    if company.contact.url:
        lines.append(f"Contact: {company.contact.url}")

    # Expires is a full date-time; the end of the stated day in UTC is the latest valid moment.
    lines += [
        f"Expires: {settings.expiry(today).isoformat()}T23:59:59Z",
        f"Policy: {company.disclosure.policy_url}",
        f"Preferred-Languages: {', '.join(settings.preferred_languages)}",
        f"Canonical: {site}/{PATH}",
    ]
    return "\n".join(lines) + "\n"
