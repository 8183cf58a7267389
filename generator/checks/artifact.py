"""AWS Artifact checks: informational. Artifact serves the account: these run once per account.

The Artifact API shows which agreements the account has accepted and which reports it is
offered, but not which reports anyone downloaded: the retained report stays the evidence of
that, attached to the control by hand. So the check informs and never decides a control: an
active agreement or an offered report says nothing of a report being retained, and a control
it alone backs reads as claimed until that report is listed as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.checks.base import AwsView, Check, Finding, FindingStatus

SOC2_MARKERS = ("soc 2", "soc2")


@dataclass(frozen=True)
class Report:
    id: str
    version: int
    name: str
    period_end: str
    """ISO date-time the report's audit period ends, empty when Artifact does not say."""


def active_agreements(view: AwsView) -> list[str]:
    """Return the names of the Artifact agreements the account has accepted and not ended."""
    response = view.call("artifact", "ListCustomerAgreements")
    return [
        agreement.get("name", agreement.get("arn", ""))
        for agreement in response.get("customerAgreements", [])
        if agreement.get("state") == "ACTIVE"
    ]


def latest_soc2_report(view: AwsView) -> Report | None:
    """Return the published AWS SOC 2 report with the latest period, or None if none is offered."""
    reports = [
        Report(r["id"], r.get("version", 1), r.get("name", ""), r.get("periodEnd", ""))
        for r in view.call("artifact", "ListReports").get("reports", [])
        if r.get("state") == "PUBLISHED"
        and any(m in f"{r.get('series', '')} {r.get('name', '')}".lower() for m in SOC2_MARKERS)
    ]
    return max(reports, key=lambda r: r.period_end, default=None)


def terms_offered(view: AwsView, report: Report) -> bool:
    """Return whether Artifact hands the account the terms it must accept to download ``report``."""
    response = view.call(
        "artifact", "GetTermForReport", reportId=report.id, reportVersion=report.version
    )
    return bool(response.get("termToken"))


def soc2_report_accessible(view: AwsView) -> list[Finding]:
    """AWS Artifact shows an active agreement, or offers a SOC 2 report whose terms can be accepted.

    Informational: the finding fails where neither holds, which never fails a control.

    ```yaml
    checks: [artifact_soc2_report_accessible]
    ```
    """
    account = view.account
    agreements = active_agreements(view)
    if agreements:
        reason = f"Account {account} has active AWS Artifact agreements: {', '.join(agreements)}."
        return [Finding(account, FindingStatus.PASS, reason)]

    report = latest_soc2_report(view)
    if report is None:
        reason = f"AWS Artifact offers account {account} no published SOC 2 report."
        return [Finding(account, FindingStatus.FAIL, reason)]

    if not terms_offered(view, report):
        reason = f"AWS Artifact gives account {account} no terms to accept for {report.name}."
        return [Finding(account, FindingStatus.FAIL, reason)]
    period = f" (period ending {report.period_end[:10]})" if report.period_end else ""
    reason = f"Account {account} can accept the terms of {report.name}{period} and download it."
    return [Finding(account, FindingStatus.PASS, reason)]


CHECKS = [
    Check(
        id="artifact_soc2_report_accessible",
        title="The AWS SOC 2 report is obtainable from AWS Artifact",
        rule=(
            "AWS Artifact shows an active agreement for the account, or offers it a published "
            "AWS SOC 2 report whose terms it can accept; the API cannot show that a report was "
            "downloaded, so this informs and never decides a control: the retained report is "
            "the evidence."
        ),
        service="artifact",
        scope="global",
        permissions=(
            "artifact:ListCustomerAgreements",
            "artifact:ListReports",
            "artifact:GetTermForReport",
        ),
        evaluate=soc2_report_accessible,
        informational=True,
    ),
]
