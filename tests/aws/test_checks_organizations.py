"""The AWS Organizations checks against a moto server."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from generator.checks.base import FindingStatus, NotApplicable
from generator.checks.organizations import account_in_organization, scp_guardrails_attached

DENY_LEAVING = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
        ],
    }
)


def create_scp(org, name):
    response = org.create_policy(
        Content=DENY_LEAVING, Description=name, Name=name, Type="SERVICE_CONTROL_POLICY"
    )
    return response["Policy"]["PolicySummary"]["Id"]


def verdicts(findings):
    return {f.resource: f.status for f in findings}


def test_an_account_outside_any_organization_fails_both_checks(view, account):
    assert verdicts(account_in_organization(view())) == {account: FindingStatus.FAIL}

    [finding] = scp_guardrails_attached(view())

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert finding.reason == f"Account {account} is not in an organization, so no SCP can guard it."


def test_an_organization_with_only_full_aws_access_fails(seed, view, account):
    org = seed("organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    create_scp(org, "never-attached")

    [member] = account_in_organization(view())
    [finding] = scp_guardrails_attached(view())

    assert (member.resource, member.status) == (account, FindingStatus.PASS)
    assert (finding.resource, finding.status) == (org_id, FindingStatus.FAIL)
    assert finding.reason == f"Organization {org_id} attaches no SCP besides FullAWSAccess."


def test_each_attached_scp_passes_naming_its_targets(seed, view):
    org = seed("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    policy = create_scp(org, "deny-leaving")
    org.attach_policy(PolicyId=policy, TargetId=root)

    [finding] = scp_guardrails_attached(view())

    assert (finding.resource, finding.status) == (policy, FindingStatus.PASS)
    assert finding.reason == f"SCP deny-leaving is attached to {root}."


def test_an_organization_that_only_consolidates_billing_fails(seed, view):
    org_id = seed("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")[
        "Organization"
    ]["Id"]

    [finding] = scp_guardrails_attached(view())

    assert (finding.resource, finding.status) == (org_id, FindingStatus.FAIL)


def test_scps_are_not_judged_in_a_member_account(factory, view, account):
    """Stubbed with botocore's Stubber: moto's account is always the management account."""
    client = factory.client("organizations", "us-east-1", account)
    described = {
        "Organization": {
            "Id": "o-exampleorg1",
            "MasterAccountId": "210987654321",
            "FeatureSet": "ALL",
        }
    }

    with Stubber(client) as stubber:
        stubber.add_response("describe_organization", described)
        with pytest.raises(NotApplicable, match="management account 210987654321"):
            scp_guardrails_attached(view())
