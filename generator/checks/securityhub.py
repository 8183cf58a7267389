"""Security Hub checks. Security Hub is regional: it is enabled, with its standards, per region."""

from __future__ import annotations

from collections import Counter

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

REQUIRED_STANDARDS = {
    "aws-foundational-security-best-practices": "AWS Foundational Security Best Practices",
    "cis-aws-foundations-benchmark/v/3.0.0": "CIS AWS Foundations Benchmark v3.0.0",
}
"""What a standard's ARN contains, with the name the reasons use for it."""

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")
OPEN_FINDINGS = {
    "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    "WorkflowStatus": [
        {"Value": "NEW", "Comparison": "EQUALS"},
        {"Value": "NOTIFIED", "Comparison": "EQUALS"},
    ],
}
"""Findings still awaiting a decision: active, and neither resolved nor suppressed."""


def hub_arn(view: AwsView) -> str | None:
    """Return the ARN of the Security Hub hub in the view's region, or None when not enabled."""
    try:
        response = view.call("securityhub", "DescribeHub")
    except ApiError as error:
        if is_not_subscribed(error):
            return None
        raise
    return str(response["HubArn"])


def is_not_subscribed(error: ApiError) -> bool:
    """Return whether ``error`` is Security Hub's answer for a region it is not enabled in."""
    if error.code == "ResourceNotFoundException":
        return True
    # The same code also means other refusals; its message tells "not subscribed" apart.
    return error.code == "InvalidAccessException" and "not subscribed" in error.message


def standard_statuses(view: AwsView) -> dict[str, str]:
    """Return the status (READY, PENDING, INCOMPLETE...) of each enabled standard, by ARN."""
    response = view.call("securityhub", "GetEnabledStandards")
    return {
        item["StandardsArn"]: item["StandardsStatus"]
        for item in response.get("StandardsSubscriptions", [])
    }


def missing_standards(statuses: dict[str, str]) -> list[str]:
    """Return each required standard that is not enabled and READY, with its state."""
    gaps = []
    for marker, name in REQUIRED_STANDARDS.items():
        states = [status for arn, status in statuses.items() if marker in arn]
        if "READY" not in states:
            state = states[0].lower() if states else "not enabled"
            gaps.append(f"{name} ({state})")
    return gaps


def standards_enabled(view: AwsView) -> list[Finding]:
    """Security Hub is enabled with the FSBP and CIS AWS Foundations v3.0.0 standards READY.

    A standard still PENDING, or INCOMPLETE because some of its controls could not be
    enabled, does not count yet.

    ```yaml
    checks: [securityhub_standards_enabled]
    ```
    """
    account, region = view.account, view.region
    arn = hub_arn(view)
    if arn is None:
        reason = f"Security Hub is not enabled for account {account} in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    gaps = missing_standards(standard_statuses(view))
    if gaps:
        reason = f"Security Hub {arn} lacks the standards {', '.join(gaps)}."
        return [Finding(arn, FindingStatus.FAIL, reason)]
    reason = f"Security Hub {arn} runs the FSBP and CIS AWS Foundations v3.0.0 standards."
    return [Finding(arn, FindingStatus.PASS, reason)]


def open_findings_by_severity(view: AwsView) -> Counter[str]:
    """Return how many active findings awaiting a decision there are, by severity label."""
    response = view.call("securityhub", "GetFindings", Filters=OPEN_FINDINGS)
    return Counter(finding["Severity"]["Label"] for finding in response.get("Findings", []))


def findings_summarised(view: AwsView) -> list[Finding]:
    """Security Hub's open findings are read and kept, counted by severity, for the review.

    It passes whenever the findings could be read, whatever their number: the GetFindings
    answer (active findings whose workflow status is NEW or NOTIFIED, all pages) is the
    retained evidence of what the monthly review had in front of it. Where Security Hub is off
    there is nothing to review, so the check fails and the control cannot read as complete.

    ```yaml
    checks: [securityhub_findings_summarised]
    ```
    """
    account, region = view.account, view.region
    arn = hub_arn(view)
    if arn is None:
        reason = f"Security Hub is not enabled for account {account} in {region}: no findings."
        return [Finding(account, FindingStatus.FAIL, reason)]

    counts = open_findings_by_severity(view)
    tally = ", ".join(f"{severity} {counts[severity]}" for severity in SEVERITIES)
    total = sum(counts.values())
    reason = f"Security Hub {arn} has {total} open findings: {tally}."
    return [Finding(arn, FindingStatus.PASS, reason)]


CHECKS = [
    Check(
        id="securityhub_standards_enabled",
        title="Security Hub runs the FSBP and CIS v3.0 standards",
        rule=(
            "Security Hub is enabled in every region with the AWS Foundational Security Best "
            "Practices and CIS AWS Foundations Benchmark v3.0.0 standards ready."
        ),
        service="securityhub",
        scope="regional",
        permissions=("securityhub:DescribeHub", "securityhub:GetEnabledStandards"),
        evaluate=standards_enabled,
    ),
    Check(
        id="securityhub_findings_summarised",
        title="Security Hub open findings are kept for review",
        rule=(
            "Security Hub's active findings awaiting a decision are read and kept, counted by "
            "severity, in every region."
        ),
        service="securityhub",
        scope="regional",
        permissions=("securityhub:DescribeHub", "securityhub:GetFindings"),
        evaluate=findings_summarised,
    ),
]
