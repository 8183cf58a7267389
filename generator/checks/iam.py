"""IAM checks. IAM is global: these run once per account, in the home region.

The user checks read account-wide answers rather than asking per user: the credential report
(generated, then polled until ready) for passwords, MFA and access keys, and one
GetAccountAuthorizationDetails listing for the policies attached to users, groups and roles.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

MIN_PASSWORD_LENGTH = 14
MAX_PASSWORD_AGE_DAYS = 90
MAX_ACCESS_KEY_AGE_DAYS = 90
MAX_UNUSED_DAYS = 90
ADMINISTRATOR_ACCESS = re.compile(r"arn:[a-z0-9-]+:iam::aws:policy/AdministratorAccess")
"""The AWS managed policy's ARN in any partition: aws, aws-cn, aws-us-gov..."""

AUTHORIZATION_FILTER = ["User", "Role", "Group"]
ROOT_ROW = "<root_account>"
REPORT_ATTEMPTS = 10
REPORT_DELAY = 1.0
"""Seconds between two asks while the credential report is being generated."""

REPORT_FORMAT = "text/csv"
"""The only format GetCredentialReport has; any other could not be read as CSV."""

REPORT_PERMISSIONS = ("iam:GenerateCredentialReport", "iam:GetCredentialReport")

REPORT_PENDING = ("ReportInProgress", "ReportNotPresent")
"""GetCredentialReport's answers for "not generated yet": ask again."""

# Where GetAccountAuthorizationDetails lists each kind: (kind, listing key, name field).
_POLICY_HOLDERS = (
    ("user", "UserDetailList", "UserName"),
    ("group", "GroupDetailList", "GroupName"),
    ("role", "RoleDetailList", "RoleName"),
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
class AccessKey:
    slot: int
    """1 or 2: the credential report names a user's keys by position, not by id."""

    active: bool
    last_rotated: datetime | None
    last_used: datetime | None
    """None when the key was never used."""


@dataclass(frozen=True)
class ReportUser:
    """One IAM user's row of the credential report."""

    name: str
    arn: str
    created: datetime
    password_enabled: bool
    password_changed: datetime | None
    password_last_used: datetime | None
    """None when the console password was never used, or the user has none."""

    mfa_active: bool
    keys: list[AccessKey]


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


def credential_report(view: AwsView) -> list[ReportUser]:
    """Return the credential report's IAM users; the root user is judged by the root checks."""
    view.poll(
        "iam",
        "GenerateCredentialReport",
        ready=lambda answer: answer.get("State") == "COMPLETE",
        attempts=REPORT_ATTEMPTS,
        delay=REPORT_DELAY,
    )
    report = view.poll(
        "iam",
        "GetCredentialReport",
        pending=REPORT_PENDING,
        attempts=REPORT_ATTEMPTS,
        delay=REPORT_DELAY,
    )

    rows = csv.DictReader(io.StringIO(report_text(view, report)))
    return [_report_user(row) for row in rows if row["user"] != ROOT_ROW]


def report_text(view: AwsView, report: dict[str, Any]) -> str:
    """Return the CSV text of a GetCredentialReport answer; raise ApiError if it holds none.

    An answer without content would otherwise read as an account without users, and every
    user check would pass on it.
    """
    if not report.get("Content"):
        message = "the answer holds no report content"
        raise ApiError("iam", "GetCredentialReport", view.region, "NoReportContent", message)
    if report.get("ReportFormat") != REPORT_FORMAT:
        message = f"the report's format is {report.get('ReportFormat')}, not {REPORT_FORMAT}"
        raise ApiError("iam", "GetCredentialReport", view.region, "UnexpectedFormat", message)

    # The view hands bytes over base64-encoded.
    return base64.b64decode(report["Content"]).decode("utf-8")


def authorization_details(view: AwsView) -> dict[str, Any]:
    """Return every IAM user, group and role with the policies attached to it."""
    # One parameter set for every check, so the account-wide listing is fetched once.
    return view.call("iam", "GetAccountAuthorizationDetails", Filter=AUTHORIZATION_FILTER)


def direct_policies(user: dict[str, Any]) -> list[str]:
    """Return the policies of a user's authorization details, each marked inline or managed."""
    inline = [policy["PolicyName"] for policy in user.get("UserPolicyList", [])]
    managed = [policy["PolicyName"] for policy in user.get("AttachedManagedPolicies", [])]
    return [f"{name} (inline)" for name in inline] + [f"{name} (managed)" for name in managed]


def administrator_access_holders(view: AwsView) -> list[Holder]:
    """Return each user, group and role AdministratorAccess is attached to."""
    details = authorization_details(view)

    holders: list[Holder] = []
    for kind, listing, name_field in _POLICY_HOLDERS:
        for entity in details.get(listing, []):
            attached = entity.get("AttachedManagedPolicies", [])
            if any(ADMINISTRATOR_ACCESS.fullmatch(policy["PolicyArn"]) for policy in attached):
                holders.append(Holder(kind, entity[name_field], entity["Arn"]))
    return holders


def key_ages(user: ReportUser, now: datetime) -> dict[int, int]:
    """Return the age in days of each of ``user``'s active access keys, by slot."""
    return {
        key.slot: _days(key.last_rotated or user.created, now) for key in user.keys if key.active
    }


def stale_credentials(user: ReportUser, now: datetime) -> list[str]:
    """Return each credential of ``user`` unused for over 90 days, as short phrases.

    A credential never used counts from when it was set: the password from its last change
    (or the user's creation), a key from its last rotation.
    """
    stale = []
    password_set = user.password_changed or user.created
    last_used = user.password_last_used
    if user.password_enabled and _days(last_used or password_set, now) > MAX_UNUSED_DAYS:
        stale.append(_idle("console password", last_used, password_set))

    for key in user.keys:
        rotated = key.last_rotated or user.created
        if key.active and _days(key.last_used or rotated, now) > MAX_UNUSED_DAYS:
            stale.append(_idle(f"access key {key.slot}", key.last_used, rotated))
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
    findings = []
    for user in credential_report(view):
        if not user.password_enabled:
            continue

        if user.mfa_active:
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
    findings = []
    for user in credential_report(view):
        if user.password_enabled:
            reason = f"User {user.name} has an IAM console password."
            findings.append(Finding(user.arn, FindingStatus.FAIL, reason))
        else:
            reason = f"User {user.name} has no console password."
            findings.append(Finding(user.arn, FindingStatus.PASS, reason))
    return findings


def user_direct_policies_absent(view: AwsView) -> list[Finding]:
    """No IAM user has an inline policy or a managed policy attached to the user itself.

    ```yaml
    checks: [iam_user_direct_policies_absent]
    ```
    """
    findings = []
    for user in authorization_details(view).get("UserDetailList", []):
        name, arn = user["UserName"], user["Arn"]
        policies = direct_policies(user)
        if policies:
            reason = f"User {name} has policies of its own: {', '.join(policies)}."
            findings.append(Finding(arn, FindingStatus.FAIL, reason))
        else:
            reason = f"User {name} has no policies of its own."
            findings.append(Finding(arn, FindingStatus.PASS, reason))
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

    findings = []
    for user in credential_report(view):
        ages = key_ages(user, now)
        if not ages:
            continue

        old = any(age > MAX_ACCESS_KEY_AGE_DAYS for age in ages.values())
        status = FindingStatus.FAIL if old else FindingStatus.PASS
        keys = " and ".join(f"access key {slot} is {age} days old" for slot, age in ages.items())
        findings.append(Finding(user.arn, status, f"User {user.name}'s active {keys}."))
    return findings


def user_unused_credentials_absent(view: AwsView) -> list[Finding]:
    """No IAM user has a console password or active access key left unused for 90 days.

    ```yaml
    checks: [iam_user_unused_credentials_absent]
    ```
    """
    now = datetime.now(UTC)

    findings = []
    for user in credential_report(view):
        stale = stale_credentials(user, now)
        if stale:
            reason = f"User {user.name} has unused credentials: {'; '.join(stale)}."
            findings.append(Finding(user.arn, FindingStatus.FAIL, reason))
        else:
            reason = f"User {user.name} has no credential unused for {MAX_UNUSED_DAYS} days."
            findings.append(Finding(user.arn, FindingStatus.PASS, reason))
    return findings


def _report_user(row: dict[str, str]) -> ReportUser:
    keys = [
        AccessKey(
            slot=slot,
            active=row.get(f"access_key_{slot}_active") == "true",
            last_rotated=_report_moment(row.get(f"access_key_{slot}_last_rotated")),
            last_used=_report_moment(row.get(f"access_key_{slot}_last_used_date")),
        )
        for slot in (1, 2)
    ]
    return ReportUser(
        name=row["user"],
        arn=row["arn"],
        created=datetime.fromisoformat(row["user_creation_time"]),
        password_enabled=row.get("password_enabled") == "true",
        password_changed=_report_moment(row.get("password_last_changed")),
        password_last_used=_report_moment(row.get("password_last_used")),
        mfa_active=row.get("mfa_active") == "true",
        keys=keys,
    )


def _report_moment(value: str | None) -> datetime | None:
    # Besides dates the report holds N/A, no_information and not_supported.
    try:
        return datetime.fromisoformat(value or "")
    except ValueError:
        return None


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
        permissions=REPORT_PERMISSIONS,
        evaluate=console_user_mfa_enabled,
        empty="No IAM user has a console password, so none needs an MFA device.",
    ),
    Check(
        id="iam_user_console_password_absent",
        title="No IAM user signs in to the console",
        rule=("No IAM user has a console password: people sign in through IAM Identity Center."),
        service="iam",
        scope="global",
        permissions=REPORT_PERMISSIONS,
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
        permissions=("iam:GetAccountAuthorizationDetails",),
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
        permissions=("iam:GetAccountAuthorizationDetails",),
        evaluate=administrator_access_unattached,
        empty="AdministratorAccess is attached to no IAM user, group or role.",
    ),
    Check(
        id="iam_access_key_rotated",
        title="Access keys are rotated every 90 days",
        rule=f"Every active IAM access key is at most {MAX_ACCESS_KEY_AGE_DAYS} days old.",
        service="iam",
        scope="global",
        permissions=REPORT_PERMISSIONS,
        evaluate=access_key_rotated,
        empty="No IAM user has an active access key.",
    ),
    Check(
        id="iam_user_unused_credentials_absent",
        title="No credentials lie unused for 90 days",
        rule=(
            "No IAM user has a console password or active access key unused for more than "
            f"{MAX_UNUSED_DAYS} days; a credential never used counts from when it was set."
        ),
        service="iam",
        scope="global",
        permissions=REPORT_PERMISSIONS,
        evaluate=user_unused_credentials_absent,
        empty="The account has no IAM users.",
    ),
]
