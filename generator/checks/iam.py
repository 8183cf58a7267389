"""IAM checks. IAM is global: these run once per account, in the home region.

The user checks read each user through the per-user APIs rather than the credential report:
the report has to be generated and then polled until ready, and every call through the view is
made once per run, so a poll through it would only ever see the first answer again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

MIN_PASSWORD_LENGTH = 14
MAX_PASSWORD_AGE_DAYS = 90
MAX_ACCESS_KEY_AGE_DAYS = 90
MAX_UNUSED_DAYS = 90
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

# What ListEntitiesForPolicy names, and where each kind's ARN is listed:
# (kind, response key, name field, listing operation, listing key).
_POLICY_ENTITIES = (
    ("user", "PolicyUsers", "UserName", "ListUsers", "Users"),
    ("group", "PolicyGroups", "GroupName", "ListGroups", "Groups"),
    ("role", "PolicyRoles", "RoleName", "ListRoles", "Roles"),
)


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


@dataclass(frozen=True)
class User:
    name: str
    arn: str
    password_last_used: datetime | None
    """None when the console password was never used, or the user has none."""


@dataclass(frozen=True)
class AccessKey:
    id: str
    active: bool
    created: datetime


@dataclass(frozen=True)
class Holder:
    """An IAM user, group or role a policy is attached to."""

    kind: str
    name: str
    arn: str


def account_summary(view: AwsView) -> dict[str, int]:
    """Return the account's IAM usage counters, e.g. AccountMFAEnabled."""
    summary: dict[str, int] = view.call("iam", "GetAccountSummary").get("SummaryMap", {})
    return summary


def users(view: AwsView) -> list[User]:
    """Return the account's IAM users."""
    listed = view.call("iam", "ListUsers").get("Users", [])
    return [User(u["UserName"], u["Arn"], _moment(u.get("PasswordLastUsed"))) for u in listed]


def by_user(listed: list[User]) -> list[dict[str, Any]]:
    """Return the parameters of one per-user call for each of ``listed``, for prefetching."""
    return [{"UserName": user.name} for user in listed]


def password_created(view: AwsView, user: User) -> datetime | None:
    """Return when ``user``'s console password was set, or None when the user has none."""
    try:
        response = view.call("iam", "GetLoginProfile", UserName=user.name)
    except ApiError as error:
        # IAM answers "this user has no console password" with an error; it is a fact.
        if error.code == "NoSuchEntity":
            return None
        raise

    return datetime.fromisoformat(response["LoginProfile"]["CreateDate"])


def has_mfa_device(view: AwsView, user: User) -> bool:
    """Return whether ``user`` has at least one MFA device."""
    return bool(view.call("iam", "ListMFADevices", UserName=user.name).get("MFADevices"))


def access_keys(view: AwsView, user: User) -> list[AccessKey]:
    """Return ``user``'s access keys, active or not."""
    listed = view.call("iam", "ListAccessKeys", UserName=user.name).get("AccessKeyMetadata", [])
    return [
        AccessKey(
            id=key["AccessKeyId"],
            active=key["Status"] == "Active",
            created=datetime.fromisoformat(key["CreateDate"]),
        )
        for key in listed
    ]


def key_last_used(view: AwsView, key: AccessKey) -> datetime | None:
    """Return when ``key`` was last used, or None when it never was."""
    response = view.call("iam", "GetAccessKeyLastUsed", AccessKeyId=key.id)
    return _moment(response.get("AccessKeyLastUsed", {}).get("LastUsedDate"))


def direct_policies(view: AwsView, user: User) -> list[str]:
    """Return the policies attached to ``user`` itself, each marked inline or managed."""
    inline = view.call("iam", "ListUserPolicies", UserName=user.name).get("PolicyNames", [])
    attached = view.call("iam", "ListAttachedUserPolicies", UserName=user.name)
    managed = [policy["PolicyName"] for policy in attached.get("AttachedPolicies", [])]
    return [f"{name} (inline)" for name in inline] + [f"{name} (managed)" for name in managed]


def administrator_access_holders(view: AwsView) -> list[Holder]:
    """Return each user, group and role AdministratorAccess is attached to."""
    attached = view.call("iam", "ListEntitiesForPolicy", PolicyArn=ADMINISTRATOR_ACCESS)

    holders: list[Holder] = []
    for kind, key, name_field, operation, listing in _POLICY_ENTITIES:
        names = [entity[name_field] for entity in attached.get(key, [])]
        if not names:
            continue

        # ListEntitiesForPolicy gives names only; the listing gives ARNs, paths included.
        listed = view.call("iam", operation).get(listing, [])
        arns = {item[name_field]: item["Arn"] for item in listed}
        holders += [Holder(kind, name, arns.get(name, f"{kind}/{name}")) for name in names]
    return holders


def stale_credentials(view: AwsView, user: User, now: datetime) -> list[str]:
    """Return each credential of ``user`` unused for over 90 days, as short phrases.

    A credential never used counts from when it was created.
    """
    stale = []
    created = password_created(view, user)
    if created is not None and _days(user.password_last_used or created, now) > MAX_UNUSED_DAYS:
        stale.append(_idle("console password", user.password_last_used, created))

    for key in access_keys(view, user):
        if not key.active:
            continue

        last_used = key_last_used(view, key)
        if _days(last_used or key.created, now) > MAX_UNUSED_DAYS:
            stale.append(_idle(f"access key {key.id}", last_used, key.created))
    return stale


def root_access_keys_absent(view: AwsView) -> list[Finding]:
    """The root user has no access keys.

    ```yaml
    checks: [iam_root_access_keys_absent]
    ```
    """
    account = view.account
    if account_summary(view).get("AccountAccessKeysPresent", 0):
        reason = f"Account {account}'s root user has access keys."
        return [Finding(account, FindingStatus.FAIL, reason)]

    reason = f"Account {account}'s root user has no access keys."
    return [Finding(account, FindingStatus.PASS, reason)]


def root_mfa_enabled(view: AwsView) -> list[Finding]:
    """The root user signs in with MFA.

    ```yaml
    checks: [iam_root_mfa_enabled]
    ```
    """
    account = view.account
    if account_summary(view).get("AccountMFAEnabled", 0):
        return [Finding(account, FindingStatus.PASS, f"Account {account}'s root user has MFA.")]

    reason = f"Account {account}'s root user has no MFA device."
    return [Finding(account, FindingStatus.FAIL, reason)]


def console_user_mfa_enabled(view: AwsView) -> list[Finding]:
    """Every IAM user with a console password has an MFA device.

    ```yaml
    checks: [iam_console_user_mfa_enabled]
    ```
    """
    listed = users(view)
    view.prefetch("iam", "GetLoginProfile", by_user(listed))
    console = [user for user in listed if password_created(view, user) is not None]
    view.prefetch("iam", "ListMFADevices", by_user(console))

    findings = []
    for user in console:
        if has_mfa_device(view, user):
            reason = f"Console user {user.name} has an MFA device."
            findings.append(Finding(user.arn, FindingStatus.PASS, reason))
        else:
            reason = f"Console user {user.name} has no MFA device."
            findings.append(Finding(user.arn, FindingStatus.FAIL, reason))
    return findings


def user_console_password_absent(view: AwsView) -> list[Finding]:
    """No IAM user has a console password: people sign in through IAM Identity Center.

    ```yaml
    checks: [iam_user_console_password_absent]
    ```
    """
    listed = users(view)
    view.prefetch("iam", "GetLoginProfile", by_user(listed))

    findings = []
    for user in listed:
        if password_created(view, user) is None:
            reason = f"User {user.name} has no console password."
            findings.append(Finding(user.arn, FindingStatus.PASS, reason))
        else:
            reason = f"User {user.name} has an IAM console password."
            findings.append(Finding(user.arn, FindingStatus.FAIL, reason))
    return findings


def user_direct_policies_absent(view: AwsView) -> list[Finding]:
    """No IAM user has an inline policy or a managed policy attached to the user itself.

    ```yaml
    checks: [iam_user_direct_policies_absent]
    ```
    """
    listed = users(view)
    view.prefetch("iam", "ListUserPolicies", by_user(listed))
    view.prefetch("iam", "ListAttachedUserPolicies", by_user(listed))

    findings = []
    for user in listed:
        policies = direct_policies(view, user)
        if policies:
            reason = f"User {user.name} has policies of its own: {', '.join(policies)}."
            findings.append(Finding(user.arn, FindingStatus.FAIL, reason))
        else:
            reason = f"User {user.name} has no policies of its own."
            findings.append(Finding(user.arn, FindingStatus.PASS, reason))
    return findings


def administrator_access_unattached(view: AwsView) -> list[Finding]:
    """AdministratorAccess is attached to no IAM user, group or role.

    ```yaml
    checks: [iam_administrator_access_unattached]
    ```
    """
    return [
        Finding(
            holder.arn,
            FindingStatus.FAIL,
            f"{holder.kind.capitalize()} {holder.name} has AdministratorAccess attached.",
        )
        for holder in administrator_access_holders(view)
    ]


def access_key_rotated(view: AwsView) -> list[Finding]:
    """Every active access key was created (rotated) at most 90 days ago.

    ```yaml
    checks: [iam_access_key_rotated]
    ```
    """
    now = datetime.now(UTC)
    listed = users(view)
    view.prefetch("iam", "ListAccessKeys", by_user(listed))

    findings = []
    for user in listed:
        for key in access_keys(view, user):
            if not key.active:
                continue

            age = _days(key.created, now)
            status = FindingStatus.FAIL if age > MAX_ACCESS_KEY_AGE_DAYS else FindingStatus.PASS
            reason = f"Active access key {key.id} of user {user.name} is {age} days old."
            findings.append(Finding(key.id, status, reason))
    return findings


def user_unused_credentials_absent(view: AwsView) -> list[Finding]:
    """No IAM user has a console password or active access key left unused for 90 days.

    ```yaml
    checks: [iam_user_unused_credentials_absent]
    ```
    """
    now = datetime.now(UTC)
    listed = users(view)
    view.prefetch("iam", "GetLoginProfile", by_user(listed))
    view.prefetch("iam", "ListAccessKeys", by_user(listed))
    active = [key for user in listed for key in access_keys(view, user) if key.active]
    view.prefetch("iam", "GetAccessKeyLastUsed", [{"AccessKeyId": key.id} for key in active])

    findings = []
    for user in listed:
        stale = stale_credentials(view, user, now)
        if stale:
            reason = f"User {user.name} has unused credentials: {'; '.join(stale)}."
            findings.append(Finding(user.arn, FindingStatus.FAIL, reason))
        else:
            reason = f"User {user.name} has no credential unused for {MAX_UNUSED_DAYS} days."
            findings.append(Finding(user.arn, FindingStatus.PASS, reason))
    return findings


def _moment(value: str | None) -> datetime | None:
    # The view hands datetimes over as ISO strings with their UTC offset.
    return None if value is None else datetime.fromisoformat(value)


def _days(since: datetime, now: datetime) -> int:
    return (now - since).days


def _idle(credential: str, last_used: datetime | None, created: datetime) -> str:
    if last_used is None:
        return f"{credential} never used since it was created on {created:%Y-%m-%d}"
    return f"{credential} last used on {last_used:%Y-%m-%d}"


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
    Check(
        id="iam_root_access_keys_absent",
        title="The root user has no access keys",
        rule="The account's root user has no access keys.",
        service="iam",
        scope="global",
        permissions=("iam:GetAccountSummary",),
        evaluate=root_access_keys_absent,
    ),
    Check(
        id="iam_root_mfa_enabled",
        title="The root user has MFA",
        rule="The account's root user has an MFA device.",
        service="iam",
        scope="global",
        permissions=("iam:GetAccountSummary",),
        evaluate=root_mfa_enabled,
    ),
    Check(
        id="iam_console_user_mfa_enabled",
        title="Console users have MFA",
        rule="Every IAM user with a console password has an MFA device.",
        service="iam",
        scope="global",
        permissions=("iam:ListUsers", "iam:GetLoginProfile", "iam:ListMFADevices"),
        evaluate=console_user_mfa_enabled,
        empty="No IAM user has a console password, so none needs an MFA device.",
    ),
    Check(
        id="iam_user_console_password_absent",
        title="No IAM user signs in to the console",
        rule=("No IAM user has a console password: people sign in through IAM Identity Center."),
        service="iam",
        scope="global",
        permissions=("iam:ListUsers", "iam:GetLoginProfile"),
        evaluate=user_console_password_absent,
        empty="The account has no IAM users.",
    ),
    Check(
        id="iam_user_direct_policies_absent",
        title="No IAM user has policies of its own",
        rule=(
            "No IAM user has an inline policy or a managed policy attached directly; "
            "access is granted through roles or groups."
        ),
        service="iam",
        scope="global",
        permissions=("iam:ListUsers", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies"),
        evaluate=user_direct_policies_absent,
        empty="The account has no IAM users.",
    ),
    Check(
        id="iam_administrator_access_unattached",
        title="AdministratorAccess is attached to no one",
        rule=(
            "The AWS managed AdministratorAccess policy is attached to no IAM user, group or "
            "role; every attachment is reported, as the tool cannot tell which roles serve "
            "production."
        ),
        service="iam",
        scope="global",
        permissions=(
            "iam:ListEntitiesForPolicy",
            "iam:ListUsers",
            "iam:ListGroups",
            "iam:ListRoles",
        ),
        evaluate=administrator_access_unattached,
        empty="AdministratorAccess is attached to no IAM user, group or role.",
    ),
    Check(
        id="iam_access_key_rotated",
        title="Access keys are rotated every 90 days",
        rule=f"Every active IAM access key is at most {MAX_ACCESS_KEY_AGE_DAYS} days old.",
        service="iam",
        scope="global",
        permissions=("iam:ListUsers", "iam:ListAccessKeys"),
        evaluate=access_key_rotated,
        empty="No IAM user has an active access key.",
    ),
    Check(
        id="iam_user_unused_credentials_absent",
        title="No credentials lie unused for 90 days",
        rule=(
            "No IAM user has a console password or active access key unused for more than "
            f"{MAX_UNUSED_DAYS} days; a credential never used counts from its creation."
        ),
        service="iam",
        scope="global",
        permissions=(
            "iam:ListUsers",
            "iam:GetLoginProfile",
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
        ),
        evaluate=user_unused_credentials_absent,
        empty="The account has no IAM users.",
    ),
]
