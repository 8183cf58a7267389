"""GuardDuty checks. GuardDuty is regional: a detector watches only its own region."""

from __future__ import annotations

from generator.checks.base import AwsView, Check, Finding, FindingStatus


def detector_statuses(view: AwsView) -> dict[str, str]:
    """Return the status (ENABLED or DISABLED) of each detector in the view's region, by id."""
    detector_ids = view.call("guardduty", "ListDetectors").get("DetectorIds", [])
    view.prefetch("guardduty", "GetDetector", [{"DetectorId": each} for each in detector_ids])
    return {
        detector_id: view.call("guardduty", "GetDetector", DetectorId=detector_id)["Status"]
        for detector_id in detector_ids
    }


def detector_enabled(view: AwsView) -> list[Finding]:
    """A GuardDuty detector is enabled in the region.

    ```yaml
    checks: [guardduty_detector_enabled]
    ```
    """
    account, region = view.account, view.region
    statuses = detector_statuses(view)
    if not statuses:
        reason = f"Account {account} has no GuardDuty detector in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    findings = []
    for detector_id, status in statuses.items():
        if status == "ENABLED":
            reason = f"GuardDuty detector {detector_id} is enabled in {region}."
            findings.append(Finding(detector_id, FindingStatus.PASS, reason))
        else:
            reason = f"GuardDuty detector {detector_id} is {status.lower()} in {region}."
            findings.append(Finding(detector_id, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="guardduty_detector_enabled",
        title="GuardDuty is enabled",
        rule="An enabled GuardDuty detector watches every region of the account.",
        service="guardduty",
        scope="regional",
        permissions=("guardduty:ListDetectors", "guardduty:GetDetector"),
        evaluate=detector_enabled,
    ),
]
