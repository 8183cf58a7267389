"""The EC2 checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.ec2 import ebs_default_encryption_enabled


def test_ebs_default_encryption_passes_where_enabled(seed, view, account):
    seed("ec2", "eu-west-1").enable_ebs_encryption_by_default()

    [finding] = ebs_default_encryption_enabled(view("eu-west-1"))

    assert (finding.resource, finding.status) == (account, FindingStatus.PASS)


def test_ebs_default_encryption_fails_in_a_region_left_off(seed, view, account):
    seed("ec2", "eu-west-1").enable_ebs_encryption_by_default()

    [finding] = ebs_default_encryption_enabled(view("us-east-1"))

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert "us-east-1" in finding.reason
