"""The IAM checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.iam import password_policy_strong

STRONG = {
    "MinimumPasswordLength": 14,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "MaxPasswordAge": 90,
}


def test_strong_password_policy_passes(seed, view, account):
    seed("iam").update_account_password_policy(**STRONG)

    [finding] = password_policy_strong(view())

    assert finding.resource == account
    assert finding.status is FindingStatus.PASS


def test_missing_password_policy_fails_rather_than_errors(view, account):
    [finding] = password_policy_strong(view())

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert finding.reason == f"Account {account} has no password policy."


def test_weak_password_policy_fails_naming_each_gap(seed, view, account):
    weak = STRONG | {"MinimumPasswordLength": 8, "RequireSymbols": False, "MaxPasswordAge": 365}
    seed("iam").update_account_password_policy(**weak)

    [finding] = password_policy_strong(view())

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert finding.reason == (
        f"Account {account}'s password policy is weak: minimum length 8 < 14, "
        "no symbol required, maximum age 365 > 90 days."
    )


def test_password_policy_without_expiry_fails(seed, view, account):
    never_expires = {k: v for k, v in STRONG.items() if k != "MaxPasswordAge"}
    seed("iam").update_account_password_policy(**never_expires)

    [finding] = password_policy_strong(view())

    assert finding.status is FindingStatus.FAIL
    assert finding.reason.endswith("weak: passwords never expire.")
