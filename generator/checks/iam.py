"""IAM checks. IAM is global: these run once per account, in the home region."""

from __future__ import annotations

from dataclasses import dataclass

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

MIN_PASSWORD_LENGTH = 14
MAX_PASSWORD_AGE_DAYS = 90


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int
    requires_uppercase: bool
    requires_lowercase: bool
    requires_digit: bool
    requires_symbol: bool
    max_age_days: int | None
    """None when passwords never expire."""


def password_policy(view: AwsView) -> PasswordPolicy | None:
    """Return the account's password policy, or None when it has none."""
    try:
        response = view.call("iam", "GetAccountPasswordPolicy")
    except ApiError as error:
        # IAM answers "no policy set" with an error; it is a fact about the account.
        if error.code == "NoSuchEntity":
            return None
        raise

    policy = response["PasswordPolicy"]
    return PasswordPolicy(
        minimum_length=policy.get("MinimumPasswordLength", 0),
        requires_uppercase=policy.get("RequireUppercaseCharacters", False),
        requires_lowercase=policy.get("RequireLowercaseCharacters", False),
        requires_digit=policy.get("RequireNumbers", False),
        requires_symbol=policy.get("RequireSymbols", False),
        max_age_days=policy.get("MaxPasswordAge") if policy.get("ExpirePasswords") else None,
    )


def weaknesses(policy: PasswordPolicy) -> list[str]:
    """Return each way ``policy`` falls short of the rule, as short phrases."""
    gaps = []
    if policy.minimum_length < MIN_PASSWORD_LENGTH:
        gaps.append(f"minimum length {policy.minimum_length} < {MIN_PASSWORD_LENGTH}")

    required = {
        "uppercase letter": policy.requires_uppercase,
        "lowercase letter": policy.requires_lowercase,
        "digit": policy.requires_digit,
        "symbol": policy.requires_symbol,
    }
    gaps += [f"no {kind} required" for kind, is_required in required.items() if not is_required]

    if policy.max_age_days is None:
        gaps.append("passwords never expire")
    elif policy.max_age_days > MAX_PASSWORD_AGE_DAYS:
        gaps.append(f"maximum age {policy.max_age_days} > {MAX_PASSWORD_AGE_DAYS} days")
    return gaps


def password_policy_strong(view: AwsView) -> list[Finding]:
    """The IAM password policy asks for 14+ characters of four kinds and expiry within 90 days.

    ```yaml
    checks: [iam_password_policy_strong]
    ```
    """
    account = view.account
    policy = password_policy(view)
    if policy is None:
        return [Finding(account, FindingStatus.FAIL, f"Account {account} has no password policy.")]

    gaps = weaknesses(policy)
    if gaps:
        reason = f"Account {account}'s password policy is weak: {', '.join(gaps)}."
        return [Finding(account, FindingStatus.FAIL, reason)]
    return [Finding(account, FindingStatus.PASS, f"Account {account}'s password policy is strong.")]


CHECKS = [
    Check(
        id="iam_password_policy_strong",
        title="IAM password policy is strong",
        rule=(
            f"The account password policy requires at least {MIN_PASSWORD_LENGTH} characters "
            "with upper and lower case letters, digits and symbols, and expiry within "
            f"{MAX_PASSWORD_AGE_DAYS} days."
        ),
        service="iam",
        scope="global",
        permissions=("iam:GetAccountPasswordPolicy",),
        evaluate=password_policy_strong,
    ),
]
