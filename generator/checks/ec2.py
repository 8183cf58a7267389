"""EC2 checks. EC2 is regional: these run once per region of the run."""

from __future__ import annotations

from generator.checks.base import AwsView, Check, Finding, FindingStatus


def ebs_encryption_by_default(view: AwsView) -> bool:
    """Return whether new EBS volumes in the view's region are encrypted by default."""
    response = view.call("ec2", "GetEbsEncryptionByDefault")
    return bool(response.get("EbsEncryptionByDefault", False))


def ebs_default_encryption_enabled(view: AwsView) -> list[Finding]:
    """EBS encryption by default is on, so every new volume and snapshot copy is encrypted.

    ```yaml
    checks: [ec2_ebs_default_encryption_enabled]
    ```
    """
    account, region = view.account, view.region
    if ebs_encryption_by_default(view):
        reason = f"Account {account} encrypts new EBS volumes by default in {region}."
        return [Finding(account, FindingStatus.PASS, reason)]

    reason = f"Account {account} does not encrypt new EBS volumes by default in {region}."
    return [Finding(account, FindingStatus.FAIL, reason)]


CHECKS = [
    Check(
        id="ec2_ebs_default_encryption_enabled",
        title="EBS volumes are encrypted by default",
        rule="EBS encryption by default is enabled in every region of the account.",
        service="ec2",
        scope="regional",
        permissions=("ec2:GetEbsEncryptionByDefault",),
        evaluate=ebs_default_encryption_enabled,
    ),
]
