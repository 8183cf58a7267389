"""The Amazon Inspector check against a moto server."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from generator.checks.base import ApiError, FindingStatus
from generator.checks.inspector2 import scanning_enabled


def test_inspector_passes_only_where_ec2_lambda_and_ecr_are_all_scanned(seed, view, account):
    seed("inspector2", "us-east-1").enable(
        resourceTypes=["EC2", "ECR", "LAMBDA"], accountIds=[account]
    )
    seed("inspector2", "eu-west-1").enable(resourceTypes=["EC2"], accountIds=[account])

    findings = {
        region: scanning_enabled(view(region)) for region in ("us-east-1", "eu-west-1", "us-west-2")
    }

    assert {
        region: [(f.resource, f.status) for f in found] for region, found in findings.items()
    } == {
        "us-east-1": [(account, FindingStatus.PASS)],
        "eu-west-1": [(account, FindingStatus.FAIL)],
        "us-west-2": [(account, FindingStatus.FAIL)],
    }
    assert findings["eu-west-1"][0].reason == (
        f"Inspector does not scan Lambda, ECR for account {account} in eu-west-1."
    )
    assert findings["us-west-2"][0].reason == (
        f"Inspector does not scan EC2, Lambda, ECR for account {account} in us-west-2."
    )


def test_an_account_inspector_could_not_read_is_an_error_not_a_failure(factory, view, account):
    """Stubbed with botocore's Stubber: moto never reports an account under failedAccounts."""
    failed = {
        "accounts": [],
        "failedAccounts": [
            {"accountId": account, "errorCode": "ACCESS_DENIED", "errorMessage": "Not allowed."}
        ],
    }
    with Stubber(factory.client("inspector2", "us-east-1", account)) as stubber:
        stubber.add_response("batch_get_account_status", failed, {"accountIds": [account]})
        with pytest.raises(ApiError, match="ACCESS_DENIED: Not allowed"):
            scanning_enabled(view("us-east-1"))
