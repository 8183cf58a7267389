"""The KMS checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.kms import cmk_rotation_enabled


def test_rotating_keys_pass_others_fail_and_keys_that_cannot_rotate_are_skipped(seed, view):
    kms = seed("kms", "eu-west-1")
    rotating = kms.create_key(Description="customer data")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=rotating["KeyId"])
    static = kms.create_key(Description="legacy export")["KeyMetadata"]
    kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    disabled = kms.create_key(Description="retired")["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])

    findings = cmk_rotation_enabled(view("eu-west-1"))

    assert {f.resource: f.status for f in findings} == {
        rotating["Arn"]: FindingStatus.PASS,
        static["Arn"]: FindingStatus.FAIL,
    }
    [failing] = [f for f in findings if f.status is FindingStatus.FAIL]
    assert failing.reason == f"KMS key {static['KeyId']} does not rotate automatically."
