"""S3 Control checks: account-wide S3 settings, so these run once per account."""

from __future__ import annotations

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

BLOCK_PUBLIC_ACCESS_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def account_public_access_block(view: AwsView) -> dict[str, bool] | None:
    """Return the account's S3 Block Public Access settings, or None when none are set."""
    try:
        response = view.call("s3control", "GetPublicAccessBlock", AccountId=view.account)
    except ApiError as error:
        # S3 answers "never configured" with an error; it is a fact about the account.
        if error.code == "NoSuchPublicAccessBlockConfiguration":
            return None
        raise

    settings = response.get("PublicAccessBlockConfiguration", {})
    return {name: bool(settings.get(name, False)) for name in BLOCK_PUBLIC_ACCESS_SETTINGS}


def account_public_access_blocked(view: AwsView) -> list[Finding]:
    """S3 Block Public Access is on for the whole account, with all four settings.

    ```yaml
    checks: [s3control_account_public_access_blocked]
    ```
    """
    account = view.account
    settings = account_public_access_block(view)
    if settings is None:
        reason = f"Account {account} has no account-level S3 Block Public Access settings."
        return [Finding(account, FindingStatus.FAIL, reason)]

    off = [name for name, on in settings.items() if not on]
    if off:
        reason = f"Account {account}'s S3 Block Public Access leaves off: {', '.join(off)}."
        return [Finding(account, FindingStatus.FAIL, reason)]
    reason = f"Account {account} blocks public access to S3 with all four settings."
    return [Finding(account, FindingStatus.PASS, reason)]


CHECKS = [
    Check(
        id="s3control_account_public_access_blocked",
        title="S3 Block Public Access is on for the account",
        rule=(
            "Account-level S3 Block Public Access has BlockPublicAcls, IgnorePublicAcls, "
            "BlockPublicPolicy and RestrictPublicBuckets all turned on."
        ),
        service="s3control",
        scope="global",
        permissions=("s3:GetAccountPublicAccessBlock",),
        evaluate=account_public_access_blocked,
    ),
]
