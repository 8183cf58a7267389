"""The IAM Identity Center checks against a moto server."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from botocore.stub import Stubber

from generator.checks.base import FindingStatus, NotApplicable
from generator.checks.ssoadmin import instance_active

REGIONS = ["us-east-1", "eu-west-1"]


def test_an_active_instance_passes(view):
    """moto gives every region an active Identity Center instance of its own."""
    findings = instance_active(view(regions=REGIONS))

    assert [f.status for f in findings] == [FindingStatus.PASS, FindingStatus.PASS]
    assert findings[0].resource.startswith("arn:aws:sso:::instance/ssoins-")
    assert findings[0].reason.endswith(" in us-east-1 is ACTIVE.")
    assert findings[1].reason.endswith(" in eu-west-1 is ACTIVE.")


def stub_no_instances(stack, factory, account):
    for region in REGIONS:
        stubber = stack.enter_context(Stubber(factory.client("sso-admin", region, account)))
        stubber.add_response("list_instances", {"Instances": []})


def test_no_instance_in_any_region_fails(factory, view, account):
    """Stubbed with botocore's Stubber: moto cannot be without an Identity Center instance."""
    with ExitStack() as stack:
        stub_no_instances(stack, factory, account)
        [finding] = instance_active(view(regions=REGIONS))

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)


def test_a_member_account_without_an_instance_is_not_judged(factory, view, account):
    """Stubbed with botocore's Stubber: moto cannot be without an Identity Center instance,
    and its account is always the management account."""
    described = {"Organization": {"Id": "o-exampleorg1", "MasterAccountId": "210987654321"}}

    with ExitStack() as stack:
        stub_no_instances(stack, factory, account)
        client = factory.client("organizations", "us-east-1", account)
        stack.enter_context(Stubber(client)).add_response("describe_organization", described)

        with pytest.raises(NotApplicable, match="management account 210987654321"):
            instance_active(view(regions=REGIONS))
