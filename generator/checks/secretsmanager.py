"""Secrets Manager checks. Secrets are regional: these run once per region of the run."""

from __future__ import annotations

from generator.checks.base import AwsView, Check, Finding, FindingStatus


def secret_rotation_enabled(view: AwsView) -> list[Finding]:
    """Every secret in Secrets Manager rotates automatically.

    ```yaml
    checks: [secretsmanager_secret_rotation_enabled]
    ```
    """
    findings = []
    for secret in view.call("secretsmanager", "ListSecrets").get("SecretList", []):
        arn, name = secret["ARN"], secret.get("Name", secret["ARN"])
        if secret.get("RotationEnabled", False):
            reason = f"Secret {name} rotates automatically."
            findings.append(Finding(arn, FindingStatus.PASS, reason))
        else:
            reason = f"Secret {name} does not rotate automatically."
            findings.append(Finding(arn, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="secretsmanager_secret_rotation_enabled",
        title="Secrets rotate automatically",
        rule="Automatic rotation is turned on for every secret in Secrets Manager.",
        service="secretsmanager",
        scope="regional",
        permissions=("secretsmanager:ListSecrets",),
        evaluate=secret_rotation_enabled,
        empty="The region has no secrets in Secrets Manager.",
    ),
]
