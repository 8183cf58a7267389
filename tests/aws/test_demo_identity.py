"""The demo company's identities, judged by the IAM, Organizations and Identity Center checks."""

from __future__ import annotations

from generator.aws.engine import ResultStatus, collect
from generator.checks import iam, organizations, ssoadmin
from generator.checks.base import FindingStatus
from generator.demo import identity

REGIONS = ["us-east-1", "eu-west-1"]


def test_the_demo_identities_pass_and_fail_as_described(seed, factory, account):
    identity.seed(seed, REGIONS)
    checks = iam.CHECKS + organizations.CHECKS + ssoadmin.CHECKS

    collection = collect(checks, {}, factory, regions=REGIONS, workers=4)

    def failing(result):
        return sorted(f.resource for f in result.findings if f.status is FindingStatus.FAIL)

    outcomes = {r.check: (r.status, failing(r)) for r in collection.results}
    user = f"arn:aws:iam::{account}:user/"
    passed = (ResultStatus.PASS, [])
    assert outcomes == {
        "iam_password_policy_strong": passed,
        "iam_root_access_keys_absent": passed,
        "iam_root_mfa_enabled": (ResultStatus.FAIL, [account]),
        "iam_console_user_mfa_enabled": (ResultStatus.FAIL, [f"{user}jordan.lee"]),
        "iam_user_console_password_absent": (
            ResultStatus.FAIL,
            [f"{user}jordan.lee", f"{user}priya.shah"],
        ),
        "iam_user_direct_policies_absent": (
            ResultStatus.FAIL,
            [f"{user}automation/legacy-deploy", f"{user}automation/reporting-bot"],
        ),
        "iam_administrator_access_unattached": (
            ResultStatus.FAIL,
            [f"{user}automation/legacy-deploy"],
        ),
        "iam_access_key_rotated": passed,
        "iam_user_unused_credentials_absent": passed,
        "organizations_account_in_organization": passed,
        "organizations_scp_guardrails_attached": passed,
        "ssoadmin_instance_active": passed,
    }
