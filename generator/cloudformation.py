"""CloudFormation templates for the read-only evidence role, built from the same policy.

Two templates, both carrying exactly the policy ``trustcenter iam-policy`` prints:

- the *collector* role, in the account CI collects from (the management or a delegated
  administrator account for an Organization), trusted by GitHub's OIDC provider for one
  repository and branch only, so no access key is ever stored;
- the *member* role, deployed to every account of the Organization with a StackSet, trusted
  by the collector role alone.

The committed copies under ``infra/`` are regenerated with ``trustcenter iam-policy
--template collector|member``; a test fails when they drift from the checks.
"""

from __future__ import annotations

from typing import Any

import yaml

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
DEFAULT_ROLE_NAME = "TrustcenterEvidenceReader"


def collector_template(policy: dict[str, Any]) -> dict[str, Any]:
    """The role CI assumes through GitHub OIDC, with the read-only policy."""
    subject = {"Fn::Sub": "repo:${GitHubRepository}:ref:refs/heads/${GitHubBranch}"}
    account = "arn:${AWS::Partition}:iam::${AWS::AccountId}"
    existing = {"Fn::Sub": f"{account}:oidc-provider/{GITHUB_OIDC_HOST}"}
    provider = {"Fn::If": ["CreateProvider", {"Ref": "GitHubOidc"}, existing]}
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com",
                        f"{GITHUB_OIDC_HOST}:sub": subject,
                    }
                },
            }
        ],
    }
    assume_members = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumeMemberRoles",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"},
            }
        ],
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "trustcenter: read-only evidence role for CI, assumed through GitHub OIDC.",
        "Parameters": {
            "GitHubRepository": {
                "Type": "String",
                "AllowedPattern": "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
                "Description": "The repository allowed to assume the role, as owner/name.",
            },
            "GitHubBranch": {
                "Type": "String",
                "Default": "main",
                "Description": "The only branch whose workflows may assume the role.",
            },
            "RoleName": {"Type": "String", "Default": DEFAULT_ROLE_NAME},
            "MemberRoleName": {
                "Type": "String",
                "Default": "",
                "Description": "For an Organization: the member role to assume in each account.",
            },
            "CreateOidcProvider": {
                "Type": "String",
                "AllowedValues": ["true", "false"],
                "Default": "true",
                "Description": "false when the account already has GitHub's OIDC provider.",
            },
        },
        "Conditions": {
            "CreateProvider": {"Fn::Equals": [{"Ref": "CreateOidcProvider"}, "true"]},
            "ReadMembers": {"Fn::Not": [{"Fn::Equals": [{"Ref": "MemberRoleName"}, ""]}]},
        },
        "Resources": {
            "GitHubOidc": {
                "Type": "AWS::IAM::OIDCProvider",
                "Condition": "CreateProvider",
                "Properties": {
                    "Url": f"https://{GITHUB_OIDC_HOST}",
                    "ClientIdList": ["sts.amazonaws.com"],
                },
            },
            "EvidencePolicy": _managed_policy(policy),
            "CollectorRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": trust,
                    "ManagedPolicyArns": [{"Ref": "EvidencePolicy"}],
                },
            },
            "AssumeMemberRolesPolicy": {
                "Type": "AWS::IAM::RolePolicy",
                "Condition": "ReadMembers",
                "Properties": {
                    "RoleName": {"Ref": "CollectorRole"},
                    "PolicyName": "AssumeMemberRoles",
                    "PolicyDocument": assume_members,
                },
            },
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["CollectorRole", "Arn"]}}},
    }


def member_template(policy: dict[str, Any]) -> dict[str, Any]:
    """The role a StackSet puts in every member account, trusted by the collector role only."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": {"Ref": "CollectorRoleArn"}},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "trustcenter: read-only evidence role in each account, for StackSets.",
        "Parameters": {
            "CollectorRoleArn": {
                "Type": "String",
                "AllowedPattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$",
                "Description": "The collector role that may assume this one.",
            },
            "RoleName": {"Type": "String", "Default": DEFAULT_ROLE_NAME},
        },
        "Resources": {
            "EvidencePolicy": _managed_policy(policy),
            "MemberRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Ref": "RoleName"},
                    "MaxSessionDuration": 3600,
                    "AssumeRolePolicyDocument": trust,
                    "ManagedPolicyArns": [{"Ref": "EvidencePolicy"}],
                },
            },
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["MemberRole", "Arn"]}}},
    }


def template_yaml(template: dict[str, Any]) -> str:
    """The template as YAML, in a stable order so regenerating it changes nothing."""
    header = "# Generated by `trustcenter iam-policy --template`; do not edit by hand.\n"
    return header + yaml.safe_dump(template, sort_keys=False, width=100)


def _managed_policy(policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "Description": "Read-only access for trustcenter evidence collection.",
            "PolicyDocument": policy,
        },
    }
