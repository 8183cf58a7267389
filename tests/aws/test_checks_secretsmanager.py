"""The Secrets Manager checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.secretsmanager import secret_rotation_enabled


def test_secrets_without_rotation_fail(seed, view):
    secrets = seed("secretsmanager", "eu-west-1")
    rotating = secrets.create_secret(Name="prod/db/password", SecretString="s3cret")["ARN"]
    # moto turns rotation on from the rules alone, with no rotation function to invoke.
    secrets.rotate_secret(SecretId=rotating, RotationRules={"AutomaticallyAfterDays": 30})
    static = secrets.create_secret(Name="prod/payments/api-key", SecretString="k3y")["ARN"]

    findings = secret_rotation_enabled(view("eu-west-1"))

    assert {f.resource: f.status for f in findings} == {
        rotating: FindingStatus.PASS,
        static: FindingStatus.FAIL,
    }
    [failing] = [f for f in findings if f.status is FindingStatus.FAIL]
    assert failing.reason == "Secret prod/payments/api-key does not rotate automatically."
