"""The company file, trustcenter.yaml: all the public Trust Center says about the company.

Every field here is public by design. Compliance programmes are free text and shown exactly
as written: the tool never infers an audit status, a period or an auditor.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Programme(Public):
    """A compliance programme, e.g. SOC 2 Type II, as the company states it."""

    name: Text
    status: Text
    """Shown verbatim, e.g. "Report available" or "Audit in progress"."""

    period: Text | None = None
    """The audit period as stated, e.g. "1 January to 30 June 2026"."""

    auditor: Text | None = None


class Contact(Public):
    """Where to reach the security team."""

    email: EmailStr
    url: AnyHttpUrl | None = None


class Disclosure(Public):
    """The vulnerability disclosure policy."""

    summary: Text
    """How to report a vulnerability and what the reporter can expect."""

    policy_url: AnyHttpUrl
    """The full policy; security.txt's Policy field points here."""


class Documents(Public):
    """Documents customers can request under NDA."""

    request_url: AnyHttpUrl
    available: Annotated[list[Text], Field(min_length=1)]
    """e.g. "SOC 2 Type II report", "Penetration test summary"."""


class Subprocessor(Public):
    name: Text
    purpose: Text
    data: Text
    """What customer data the subprocessor handles."""

    location: Text


class Question(Public):
    question: Text
    answer: Text


class Update(Public):
    """A dated note for customers; also an entry of the updates feed."""

    date: dt.date
    title: Text
    body: Text


class SecurityTxt(Public):
    """Settings of the generated ``/.well-known/security.txt`` (RFC 9116)."""

    expires: dt.date | None = None
    """A fixed day the file stops being valid; the build fails when it is too close."""

    valid_for_days: Annotated[int, Field(ge=1, le=366)] | None = None
    """Instead of a fixed day: Expires falls this many days after each build, so a site that
    is rebuilt nightly never serves an expired file. Give this or ``expires``, not both."""

    min_days_valid: Annotated[int, Field(ge=1)] = 30
    """The build fails when Expires is fewer than this many days away."""

    preferred_languages: Annotated[list[Text], Field(min_length=1)] = ["en"]

    def expiry(self, today: dt.date) -> dt.date:
        """The Expires day of a file built on ``today``."""
        if self.expires is not None:
            return self.expires
        return today + dt.timedelta(days=self.valid_for_days or 0)


class Company(Public):
    """The company the Trust Center speaks for; ``trustcenter.yaml``."""

    name: Text
    overview: Text
    """A short paragraph for customers: what the company does and how it treats their data."""

    fictional: bool = False
    """True for the shipped example, so every page says the company is made up."""

    site_url: AnyHttpUrl
    """Where the public Trust Center is published, e.g. https://trust.example.com/."""

    logo: Text | None = None
    """Path of an image, relative to the project folder, shown at the top of the page."""

    contact: Contact
    disclosure: Disclosure
    programmes: list[Programme] = Field(default_factory=list)
    documents: Documents | None = None
    subprocessors: list[Subprocessor] = Field(default_factory=list)
    faq: list[Question] = Field(default_factory=list)
    updates: list[Update] = Field(default_factory=list)
    security_txt: SecurityTxt
