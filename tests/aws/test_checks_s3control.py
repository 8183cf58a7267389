"""The S3 Control checks against a moto server.

S3 Control clients come from the project's ClientFactory: its account host prefix would make
a plain boto3 client look up a name.
"""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.s3control import account_public_access_blocked

ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def block_public_access(factory, account, **settings):
    factory.client("s3control", "us-east-1").put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration=ALL_ON | settings
    )


def test_all_four_settings_on_pass(factory, view, account):
    block_public_access(factory, account)

    [finding] = account_public_access_blocked(view())

    assert (finding.resource, finding.status) == (account, FindingStatus.PASS)


def test_a_setting_left_off_fails_naming_it(factory, view, account):
    block_public_access(factory, account, RestrictPublicBuckets=False)

    [finding] = account_public_access_blocked(view())

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert finding.reason.endswith("leaves off: RestrictPublicBuckets.")


def test_no_account_settings_fail_rather_than_error(view, account):
    [finding] = account_public_access_blocked(view())

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert "no account-level S3 Block Public Access" in finding.reason
