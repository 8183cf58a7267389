"""The demo company's identities: its organization, IAM users and Identity Center.

Mostly in order, with the gaps a real audit would find: a leftover deploy user holding
AdministratorAccess, a reporting bot with an inline policy, and engineers who still sign in
with IAM passwords, one of them without MFA. The root user has no MFA either (moto's root
never has).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"

GUARDRAILS = {
    "deny-leaving-organization": ["organizations:LeaveOrganization"],
    "protect-security-services": [
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "guardduty:DeleteDetector",
        "config:StopConfigurationRecorder",
    ],
}
"""Service control policies attached to the organization root: name -> denied actions."""

PASSWORD_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}

REPORTS_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-finance-reports/*",
        }
    ],
}


def seed(client: Callable[[str, str], Any], regions: list[str]) -> None:
    """Put the demo company's organization, IAM users and Identity Center in place."""
    home = regions[0]

    _seed_organization(client("organizations", home))

    iam = client("iam", home)
    iam.update_account_password_policy(**PASSWORD_POLICY)
    _seed_engineers(iam)
    _seed_machine_users(iam)

    _seed_identity_center(client("sso-admin", home))


def _seed_organization(organizations: Any) -> None:
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    organizations.create_organizational_unit(ParentId=root, Name="workloads")

    for name, actions in GUARDRAILS.items():
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": actions, "Resource": "*"}],
        }
        policy = organizations.create_policy(
            Name=name,
            Description=f"Guardrail: {name.replace('-', ' ')}.",
            Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(document),
        )
        organizations.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=root)


def _seed_engineers(iam: Any) -> None:
    """Two engineers who still sign in with IAM passwords; only priya.shah has MFA."""
    iam.create_group(GroupName="engineers")
    iam.attach_group_policy(GroupName="engineers", PolicyArn=READ_ONLY_ACCESS)

    for name in ("priya.shah", "jordan.lee"):
        iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "platform"}])
        iam.create_login_profile(UserName=name, Password="Demo-Only-Passw0rd!")
        iam.add_user_to_group(GroupName="engineers", UserName=name)

    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="priya.shah")
    iam.enable_mfa_device(
        UserName="priya.shah",
        SerialNumber=device["VirtualMFADevice"]["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )


def _seed_machine_users(iam: Any) -> None:
    """A leftover deploy user with AdministratorAccess, and a bot with an inline policy."""
    iam.create_user(UserName="legacy-deploy", Path="/automation/")
    iam.attach_user_policy(UserName="legacy-deploy", PolicyArn=ADMINISTRATOR_ACCESS)
    iam.create_access_key(UserName="legacy-deploy")

    iam.create_user(UserName="reporting-bot", Path="/automation/")
    iam.put_user_policy(
        UserName="reporting-bot",
        PolicyName="read-finance-reports",
        PolicyDocument=json.dumps(REPORTS_READ),
    )
    iam.create_access_key(UserName="reporting-bot")


def _seed_identity_center(sso: Any) -> None:
    """A read-only permission set on the account's Identity Center instance."""
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    sso.create_permission_set(
        InstanceArn=instance,
        Name="EngineerReadOnly",
        Description="Read-only access for engineers.",
        SessionDuration="PT8H",
    )
