"""Macie checks. Macie is regional: it is enabled, and discovers sensitive data, per region."""

from __future__ import annotations

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

NOT_ENABLED = "Macie is not enabled"


def macie_status(view: AwsView) -> str | None:
    """Return Macie's status in the view's region (ENABLED or PAUSED), or None when not enabled."""
    try:
        response = view.call("macie2", "GetMacieSession")
    except ApiError as error:
        # Macie answers "never enabled here" with this access-denied error; any other denial
        # is a real permission problem and stays an error.
        if error.code == "AccessDeniedException" and NOT_ENABLED in error.message:
            return None
        raise
    return str(response["status"])


def session_enabled(view: AwsView) -> list[Finding]:
    """Amazon Macie is enabled, and not paused, in the region.

    ```yaml
    checks: [macie2_session_enabled]
    ```
    """
    account, region = view.account, view.region
    status = macie_status(view)
    if status == "ENABLED":
        reason = f"Macie is enabled for account {account} in {region}."
        return [Finding(account, FindingStatus.PASS, reason)]

    state = "not enabled" if status is None else status.lower()
    reason = f"Macie is {state} for account {account} in {region}."
    return [Finding(account, FindingStatus.FAIL, reason)]


CHECKS = [
    Check(
        id="macie2_session_enabled",
        title="Macie is enabled",
        rule="Amazon Macie is enabled, and not paused, in every region of the account.",
        service="macie2",
        scope="regional",
        permissions=("macie2:GetMacieSession",),
        evaluate=session_enabled,
    ),
]
