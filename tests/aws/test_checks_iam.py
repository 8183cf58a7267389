"""The IAM checks against a moto server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber

from generator.aws.engine import ResultStatus, run_check
from generator.checks import iam as iam_checks
from generator.checks import registry
from generator.checks.base import ApiError, FindingStatus
from generator.checks.iam import (
    access_key_rotated,
    administrator_access_unattached,
    console_user_mfa_enabled,
    password_policy_strong,
    root_access_keys_absent,
    root_mfa_enabled,
    user_console_password_absent,
    user_direct_policies_absent,
    user_unused_credentials_absent,
)


@pytest.fixture(autouse=True)
def fixture_quick_polls(monkeypatch):
    """moto answers the first GenerateCredentialReport with STARTED; poll again at once."""
    monkeypatch.setattr(iam_checks, "REPORT_DELAY", 0.01)


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


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
INLINE = (
    '{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
)
LONG_AGO = datetime(2020, 1, 15, tzinfo=UTC)


def user_arn(account, name, path="/"):
    return f"arn:aws:iam::{account}:user{path}{name}"


def seed_people(iam):
    """alice signs in with MFA; bob signs in without MFA and has an inline policy; ci has an
    access key and ReadOnlyAccess attached; dana has nothing of her own and is in a group."""
    for name in ("alice", "bob", "ci", "dana"):
        iam.create_user(UserName=name)
    for name in ("alice", "bob"):
        iam.create_login_profile(UserName=name, Password="Correct-Horse-42!")

    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    iam.put_user_policy(UserName="bob", PolicyName="read-reports", PolicyDocument=INLINE)
    iam.create_access_key(UserName="ci")
    iam.attach_user_policy(UserName="ci", PolicyArn=READ_ONLY)
    iam.create_group(GroupName="engineers")
    iam.attach_group_policy(GroupName="engineers", PolicyArn=READ_ONLY)
    iam.add_user_to_group(GroupName="engineers", UserName="dana")


def verdicts(findings):
    return {f.resource: f.status for f in findings}


def test_an_account_without_users_or_attachments_passes_the_user_checks(view, account):
    """Also the root states moto can show: it never has root access keys nor root MFA."""
    for check in (
        console_user_mfa_enabled,
        user_console_password_absent,
        user_direct_policies_absent,
        administrator_access_unattached,
        access_key_rotated,
        user_unused_credentials_absent,
    ):
        assert check(view()) == [], check.__name__

    assert verdicts(root_access_keys_absent(view())) == {account: FindingStatus.PASS}
    assert verdicts(root_mfa_enabled(view())) == {account: FindingStatus.FAIL}


def test_console_users_without_mfa_fail(seed, view, account):
    seed_people(seed("iam"))

    findings = console_user_mfa_enabled(view())

    assert verdicts(findings) == {
        user_arn(account, "alice"): FindingStatus.PASS,
        user_arn(account, "bob"): FindingStatus.FAIL,
    }


def test_console_passwords_fail_and_users_without_one_pass(seed, view, account):
    seed_people(seed("iam"))

    findings = user_console_password_absent(view())

    assert verdicts(findings) == {
        user_arn(account, "alice"): FindingStatus.FAIL,
        user_arn(account, "bob"): FindingStatus.FAIL,
        user_arn(account, "ci"): FindingStatus.PASS,
        user_arn(account, "dana"): FindingStatus.PASS,
    }


def test_users_with_policies_of_their_own_fail_naming_them(seed, view, account):
    seed_people(seed("iam"))

    findings = {f.resource: f for f in user_direct_policies_absent(view())}

    failing = {arn for arn, f in findings.items() if f.status is FindingStatus.FAIL}
    assert failing == {user_arn(account, "bob"), user_arn(account, "ci")}
    assert findings[user_arn(account, "bob")].reason == (
        "User bob has policies of its own: read-reports (inline)."
    )
    assert findings[user_arn(account, "ci")].reason == (
        "User ci has policies of its own: ReadOnlyAccess (managed)."
    )


def test_every_administrator_access_attachment_fails_with_its_arn(seed, view, account):
    iam = seed("iam")
    iam.create_user(UserName="legacy-deploy")
    iam.create_group(GroupName="admins")
    iam.create_role(RoleName="break-glass", Path="/ops/", AssumeRolePolicyDocument="{}")
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument="{}")
    iam.attach_user_policy(UserName="legacy-deploy", PolicyArn=ADMIN)
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.attach_role_policy(RoleName="break-glass", PolicyArn=ADMIN)
    iam.attach_role_policy(RoleName="reader", PolicyArn=READ_ONLY)

    findings = administrator_access_unattached(view())

    assert verdicts(findings) == {
        user_arn(account, "legacy-deploy"): FindingStatus.FAIL,
        f"arn:aws:iam::{account}:group/admins": FindingStatus.FAIL,
        f"arn:aws:iam::{account}:role/ops/break-glass": FindingStatus.FAIL,
    }


def test_fresh_access_keys_and_credentials_pass(seed, view, account):
    """moto dates every credential now; old ones are stubbed in the tests below."""
    seed_people(seed("iam"))

    [key] = access_key_rotated(view())
    unused = user_unused_credentials_absent(view())

    assert (key.resource, key.status) == (user_arn(account, "ci"), FindingStatus.PASS)
    assert key.reason == "User ci's active access key 1 is 0 days old."
    assert set(verdicts(unused).values()) == {FindingStatus.PASS}
    assert len(unused) == 4


def test_root_access_keys_fail_and_root_mfa_passes(factory, view, account):
    """Stubbed with botocore's Stubber: moto's root user never has access keys nor MFA."""
    iam = factory.client("iam", "us-east-1", account)
    summary = {"SummaryMap": {"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 1}}

    with Stubber(iam) as stubber:
        stubber.add_response("get_account_summary", summary)
        keys = root_access_keys_absent(view())
        mfa = root_mfa_enabled(view())

    assert verdicts(keys) == {account: FindingStatus.FAIL}
    assert verdicts(mfa) == {account: FindingStatus.PASS}


REPORT_COLUMNS = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def report_row(name, arn, password="false", password_used="N/A", key_1=None, key_2=None):
    """A credential report row; each key is (active, last rotated, last used or "N/A")."""
    created = LONG_AGO.isoformat()
    password_changed = created if password == "true" else "N/A"
    cells = [name, arn, created, password, password_used, password_changed, "N/A", "false"]
    for key in (key_1, key_2):
        active, rotated, used = key or ("false", "N/A", "N/A")
        cells += [active, rotated, used, "N/A", "N/A"]
    return ",".join([*cells, "false", "N/A", "false", "N/A"])


def stub_report(stubber, *rows):
    """Answer the credential report calls with ``rows`` after the AWS header and root row."""
    root = report_row("<root_account>", "arn:aws:iam::123456789012:root", "not_supported")
    content = "\n".join([REPORT_COLUMNS, root, *rows]).encode()
    stubber.add_response("generate_credential_report", {"State": "COMPLETE"})
    stubber.add_response(
        "get_credential_report",
        {"Content": content, "ReportFormat": "text/csv", "GeneratedTime": datetime.now(UTC)},
    )


def test_access_keys_older_than_90_days_fail(factory, view, account):
    """Stubbed with botocore's Stubber: moto dates every access key at its creation, now.
    The crafted report also has AWS's root row, which the user checks skip."""
    iam = factory.client("iam", "us-east-1", account)
    old = LONG_AGO.isoformat()
    recent = (datetime.now(UTC) - timedelta(days=10)).isoformat()

    with Stubber(iam) as stubber:
        stub_report(
            stubber,
            report_row("ci", user_arn(account, "ci"), key_1=("true", old, "N/A")),
            report_row("deploy", user_arn(account, "deploy"), key_1=("true", recent, "N/A")),
            report_row("retired", user_arn(account, "retired"), key_2=("false", old, "N/A")),
        )
        findings = {f.resource: f for f in access_key_rotated(view())}
        stubber.assert_no_pending_responses()

    assert verdicts(findings.values()) == {
        user_arn(account, "ci"): FindingStatus.FAIL,
        user_arn(account, "deploy"): FindingStatus.PASS,
    }
    assert findings[user_arn(account, "ci")].reason.startswith("User ci's active access key 1 is ")


def test_credentials_unused_for_90_days_fail_and_never_used_ones_count_from_creation(
    factory, view, account
):
    """Stubbed with botocore's Stubber: moto cannot date a credential's creation or last use
    in the past. idle used its password long ago; unused never used its password or key;
    busy used its old key yesterday and has an old inactive key, which is not judged."""
    iam = factory.client("iam", "us-east-1", account)
    old = LONG_AGO.isoformat()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()

    with Stubber(iam) as stubber:
        stub_report(
            stubber,
            report_row("idle", user_arn(account, "idle"), "true", old),
            report_row(
                "unused",
                user_arn(account, "unused"),
                "true",
                "no_information",
                ("true", old, "N/A"),
            ),
            report_row(
                "busy",
                user_arn(account, "busy"),
                key_1=("true", old, yesterday),
                key_2=("false", old, "N/A"),
            ),
        )
        findings = {f.resource: f for f in user_unused_credentials_absent(view())}
        stubber.assert_no_pending_responses()

    assert verdicts(findings.values()) == {
        user_arn(account, "idle"): FindingStatus.FAIL,
        user_arn(account, "unused"): FindingStatus.FAIL,
        user_arn(account, "busy"): FindingStatus.PASS,
    }
    assert findings[user_arn(account, "idle")].reason == (
        "User idle has unused credentials: console password last used on 2020-01-15."
    )
    assert findings[user_arn(account, "unused")].reason == (
        "User unused has unused credentials: console password never used since it was created "
        "on 2020-01-15; access key 1 never used since it was created on 2020-01-15."
    )


def test_the_credential_report_is_polled_until_generated(factory, view, account):
    """Stubbed with botocore's Stubber: moto's report is ready at the second ask and its
    GetCredentialReport never answers ReportInProgress."""
    iam = factory.client("iam", "us-east-1", account)
    content = f"{REPORT_COLUMNS}\n{report_row('ops', user_arn(account, 'ops'), 'true')}"

    with Stubber(iam) as stubber:
        stubber.add_response("generate_credential_report", {"State": "STARTED"})
        stubber.add_response("generate_credential_report", {"State": "INPROGRESS"})
        stubber.add_response("generate_credential_report", {"State": "COMPLETE"})
        stubber.add_client_error("get_credential_report", "ReportInProgress", "Not yet.", 410)
        answer = {"Content": content.encode(), "ReportFormat": "text/csv"}
        stubber.add_response("get_credential_report", answer)
        findings = user_console_password_absent(view())
        stubber.assert_no_pending_responses()

    assert verdicts(findings) == {user_arn(account, "ops"): FindingStatus.FAIL}


def test_a_credential_report_never_ready_is_an_api_error(factory, view, account):
    """Stubbed with botocore's Stubber: moto's report is always ready at the second ask."""
    iam = factory.client("iam", "us-east-1", account)

    with Stubber(iam) as stubber:
        for _ in range(iam_checks.REPORT_ATTEMPTS):
            stubber.add_response("generate_credential_report", {"State": "INPROGRESS"})
        with pytest.raises(ApiError) as raised:
            console_user_mfa_enabled(view())
        stubber.assert_no_pending_responses()

    assert raised.value.code == "NotReady"
    assert raised.value.message.startswith("still not ready after 10 attempts")


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"ReportFormat": "text/csv"}, "NoReportContent: the answer holds no report content"),
        (
            {"Content": b"user,arn", "ReportFormat": "text/html"},
            "UnexpectedFormat: the report's format is text/html, not text/csv",
        ),
    ],
)
def test_a_credential_report_answer_without_csv_content_is_an_error_result(
    factory, view, account, answer, problem
):
    """Stubbed with botocore's Stubber: moto always answers with a whole CSV report. Read as
    CSV, a missing report would be an account without users, and every user check would pass."""
    iam = factory.client("iam", "us-east-1", account)

    with Stubber(iam) as stubber:
        stubber.add_response("generate_credential_report", {"State": "COMPLETE"})
        stubber.add_response("get_credential_report", answer)
        result = run_check(registry()["iam_user_console_password_absent"], view(), {})
        stubber.assert_no_pending_responses()

    assert result.status is ResultStatus.ERROR
    assert result.reason == f"iam:GetCredentialReport failed in global: {problem}"


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_administrator_access_is_recognised_in_every_partition(factory, view, account, partition):
    """Stubbed with botocore's Stubber: moto serves the aws partition's managed policies only."""
    iam = factory.client("iam", "us-east-1", account)
    role = f"arn:{partition}:iam::{account}:role/break-glass"
    attached = [
        {"PolicyName": name, "PolicyArn": f"arn:{partition}:iam::aws:policy/{name}"}
        for name in ("AdministratorAccess", "ReadOnlyAccess")
    ]
    details = {
        "RoleDetailList": [
            {"RoleName": "break-glass", "Arn": role, "AttachedManagedPolicies": attached}
        ]
    }

    with Stubber(iam) as stubber:
        params = {"Filter": ["User", "Role", "Group"]}
        stubber.add_response("get_account_authorization_details", details, params)
        findings = administrator_access_unattached(view())

    assert verdicts(findings) == {role: FindingStatus.FAIL}
