"""Amazon Inspector checks. Inspector is regional: scanning is activated per region."""

from __future__ import annotations

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

SCAN_TYPES = {"ec2": "EC2", "lambda": "Lambda", "ecr": "ECR"}
"""The resourceState keys the rule requires, with the names the reasons use for them."""


def scan_statuses(view: AwsView) -> dict[str, str]:
    """Return the status of each Inspector scan type for the view's account, by resourceState key.

    An account Inspector has never been activated for has no entry, so no scan type is on.
    """
    account = view.account
    response = view.call("inspector2", "BatchGetAccountStatus", accountIds=[account])
    for failure in response.get("failedAccounts", []):
        if failure.get("accountId") == account:
            # A partial failure arrives inside a successful answer; it is still a failed read.
            raise ApiError(
                "inspector2",
                "BatchGetAccountStatus",
                view.region,
                failure.get("errorCode", "Failed"),
                failure.get("errorMessage", "no status for the account"),
            )

    for state in response.get("accounts", []):
        if state.get("accountId") == account:
            resources = state.get("resourceState", {})
            return {key: value.get("status", "DISABLED") for key, value in resources.items()}
    return {}


def scanning_enabled(view: AwsView) -> list[Finding]:
    """Amazon Inspector scans EC2 instances, Lambda functions and ECR images in the region.

    ```yaml
    checks: [inspector2_scanning_enabled]
    ```
    """
    account, region = view.account, view.region
    statuses = scan_statuses(view)
    off = [name for key, name in SCAN_TYPES.items() if statuses.get(key) != "ENABLED"]
    if off:
        reason = f"Inspector does not scan {', '.join(off)} for account {account} in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    reason = f"Inspector scans EC2, Lambda and ECR for account {account} in {region}."
    return [Finding(account, FindingStatus.PASS, reason)]


CHECKS = [
    Check(
        id="inspector2_scanning_enabled",
        title="Inspector scans EC2, Lambda and ECR",
        rule=(
            "Amazon Inspector scanning of EC2 instances, Lambda functions and ECR container "
            "images is enabled in every region."
        ),
        service="inspector2",
        scope="regional",
        permissions=("inspector2:BatchGetAccountStatus",),
        evaluate=scanning_enabled,
    ),
]
