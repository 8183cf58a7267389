"""The GuardDuty check against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.guardduty import detector_enabled


def test_detector_passes_where_enabled_and_fails_where_disabled_or_missing(seed, view, account):
    enabled = seed("guardduty", "us-east-1").create_detector(Enable=True)["DetectorId"]
    disabled = seed("guardduty", "eu-west-1").create_detector(Enable=False)["DetectorId"]

    outcomes = {
        region: [(f.resource, f.status) for f in detector_enabled(view(region))]
        for region in ("us-east-1", "eu-west-1", "us-west-2")
    }

    assert outcomes == {
        "us-east-1": [(enabled, FindingStatus.PASS)],
        "eu-west-1": [(disabled, FindingStatus.FAIL)],
        "us-west-2": [(account, FindingStatus.FAIL)],
    }
    [missing] = detector_enabled(view("us-west-2"))
    assert missing.reason == f"Account {account} has no GuardDuty detector in us-west-2."
