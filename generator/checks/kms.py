"""KMS checks. KMS is regional: these run once per region of the run."""

from __future__ import annotations

from dataclasses import dataclass

from generator.checks.base import AwsView, Check, Finding, FindingStatus


@dataclass(frozen=True)
class Key:
    id: str
    arn: str
    manager: str
    """CUSTOMER for keys the account manages, AWS for keys a service made for it."""

    state: str
    spec: str
    origin: str
    """AWS_KMS when KMS made the key material; EXTERNAL, AWS_CLOUDHSM... otherwise."""

    @property
    def can_rotate(self) -> bool:
        """Whether KMS can rotate the key automatically: enabled, symmetric, KMS-made material."""
        return (
            self.manager == "CUSTOMER"
            and self.state == "Enabled"
            and self.spec == "SYMMETRIC_DEFAULT"
            and self.origin == "AWS_KMS"
        )


def keys(view: AwsView) -> list[Key]:
    """Return every KMS key of the view's region, customer and AWS managed alike."""
    listed = view.call("kms", "ListKeys").get("Keys", [])
    view.prefetch("kms", "DescribeKey", [{"KeyId": k["KeyId"]} for k in listed])
    described = [view.call("kms", "DescribeKey", KeyId=k["KeyId"])["KeyMetadata"] for k in listed]
    return [
        Key(
            id=meta["KeyId"],
            arn=meta["Arn"],
            manager=meta.get("KeyManager", ""),
            state=meta.get("KeyState", ""),
            spec=meta.get("KeySpec", ""),
            origin=meta.get("Origin", ""),
        )
        for meta in described
    ]


def rotation_enabled(view: AwsView, key: Key) -> bool:
    """Return whether automatic rotation is on for ``key``."""
    response = view.call("kms", "GetKeyRotationStatus", KeyId=key.id)
    return bool(response.get("KeyRotationEnabled", False))


def cmk_rotation_enabled(view: AwsView) -> list[Finding]:
    """Every enabled customer managed symmetric key rotates automatically.

    Asymmetric, HMAC, imported-material and custom-key-store keys cannot rotate
    automatically, so they are not judged; AWS managed keys rotate on AWS's own schedule.

    ```yaml
    checks: [kms_cmk_rotation_enabled]
    ```
    """
    rotatable = [k for k in keys(view) if k.can_rotate]
    view.prefetch("kms", "GetKeyRotationStatus", [{"KeyId": k.id} for k in rotatable])

    findings = []
    for key in rotatable:
        if rotation_enabled(view, key):
            reason = f"KMS key {key.id} rotates automatically."
            findings.append(Finding(key.arn, FindingStatus.PASS, reason))
        else:
            reason = f"KMS key {key.id} does not rotate automatically."
            findings.append(Finding(key.arn, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="kms_cmk_rotation_enabled",
        title="Customer managed KMS keys rotate automatically",
        rule=(
            "Automatic rotation is on for every enabled customer managed symmetric KMS key whose "
            "material KMS made; asymmetric, HMAC, imported and custom key store keys cannot "
            "rotate automatically and are skipped."
        ),
        service="kms",
        scope="regional",
        permissions=("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus"),
        evaluate=cmk_rotation_enabled,
        empty="The region has no enabled customer managed symmetric KMS keys to rotate.",
    ),
]
