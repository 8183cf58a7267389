"""The Security Hub checks against a moto server."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from botocore.stub import Stubber

from generator.checks.base import ApiError, FindingStatus
from generator.checks.securityhub import findings_summarised, standards_enabled

HUB = "arn:aws:securityhub:{}:123456789012:hub/default"
FSBP = "arn:aws:securityhub:{}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS_3 = "arn:aws:securityhub:{}::standards/cis-aws-foundations-benchmark/v/3.0.0"
CIS_1_4 = "arn:aws:securityhub:{}::standards/cis-aws-foundations-benchmark/v/1.4.0"


def asff(number, severity, account):
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"finding-{number}",
        "ProductArn": f"arn:aws:securityhub:us-east-1:{account}:product/{account}/default",
        "GeneratorId": "trustcenter-test",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2025-01-01T00:00:00Z",
        "UpdatedAt": "2025-01-01T00:00:00Z",
        "Severity": {"Label": severity},
        "Title": f"Finding {number}",
        "Description": "A seeded finding.",
        "Resources": [{"Type": "Other", "Id": f"resource-{number}"}],
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
    }


def test_findings_are_counted_by_severity_where_security_hub_is_enabled(seed, view, account):
    """moto ignores GetFindings filters, so only open findings are seeded."""
    securityhub = seed("securityhub", "us-east-1")
    securityhub.enable_security_hub(EnableDefaultStandards=False)
    severities = ["CRITICAL", "HIGH", "HIGH", "LOW"]
    securityhub.batch_import_findings(
        Findings=[asff(n, severity, account) for n, severity in enumerate(severities)]
    )

    [counted] = findings_summarised(view("us-east-1"))
    [unread] = findings_summarised(view("eu-west-1"))
    [unenabled] = standards_enabled(view("eu-west-1"))

    hub = HUB.format("us-east-1")
    assert (counted.resource, counted.status) == (hub, FindingStatus.PASS)
    assert counted.reason == (
        f"Security Hub {hub} has 4 open findings: "
        "CRITICAL 1, HIGH 2, MEDIUM 0, LOW 1, INFORMATIONAL 0."
    )
    assert (unread.resource, unread.status) == (account, FindingStatus.FAIL)
    assert (unenabled.resource, unenabled.status) == (account, FindingStatus.FAIL)
    assert unenabled.reason == f"Security Hub is not enabled for account {account} in eu-west-1."


def test_standards_pass_only_when_fsbp_and_cis_3_are_ready(factory, view, account):
    """Stubbed with botocore's Stubber: moto has no Security Hub standards API."""

    def subscription(arn, region, status):
        return {
            "StandardsSubscriptionArn": f"{arn.format(region)}/subscription",
            "StandardsArn": arn.format(region),
            "StandardsInput": {},
            "StandardsStatus": status,
        }

    answers = {
        "us-east-1": [(FSBP, "READY"), (CIS_3, "READY")],
        "eu-west-1": [(FSBP, "INCOMPLETE"), (CIS_1_4, "READY")],
    }
    with ExitStack() as stubs:
        for region, standards in answers.items():
            stubber = stubs.enter_context(Stubber(factory.client("securityhub", region, account)))
            stubber.add_response("describe_hub", {"HubArn": HUB.format(region)}, {})
            subscriptions = [subscription(arn, region, status) for arn, status in standards]
            stubber.add_response("get_enabled_standards", {"StandardsSubscriptions": subscriptions})
        refusing = stubs.enter_context(Stubber(factory.client("securityhub", "us-west-2", account)))
        refusing.add_client_error("describe_hub", "InvalidAccessException", "Not authorized.", 401)

        [ready] = standards_enabled(view("us-east-1"))
        [lacking] = standards_enabled(view("eu-west-1"))
        with pytest.raises(ApiError, match="InvalidAccessException"):
            standards_enabled(view("us-west-2"))

    assert (ready.resource, ready.status) == (HUB.format("us-east-1"), FindingStatus.PASS)
    assert (lacking.resource, lacking.status) == (HUB.format("eu-west-1"), FindingStatus.FAIL)
    assert lacking.reason == (
        f"Security Hub {HUB.format('eu-west-1')} lacks the standards AWS Foundational Security "
        "Best Practices (incomplete), CIS AWS Foundations Benchmark v3.0.0 (not enabled)."
    )
