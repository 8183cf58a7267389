"""The read-only role as infrastructure as code agrees with the policy the checks need."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.checks import registry
from generator.cli import main
from generator.policy import read_only_policy

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = {
    "collector": REPO / "infra" / "collector-role.yaml",
    "member": REPO / "infra" / "member-role.yaml",
}


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_the_committed_template_is_what_the_checks_generate(kind):
    printed = CliRunner().invoke(main, ["iam-policy", "--template", kind]).output

    assert TEMPLATES[kind].read_text() == printed, (
        f"{TEMPLATES[kind].name} is out of date: run "
        f"`trustcenter iam-policy --template {kind} > infra/{TEMPLATES[kind].name}`"
    )


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_the_template_grants_exactly_the_printed_policy(kind):
    template = yaml.safe_load(TEMPLATES[kind].read_text())

    policy = template["Resources"]["EvidencePolicy"]["Properties"]["PolicyDocument"]

    assert policy == read_only_policy(registry().values())


def test_the_collector_role_trusts_one_repository_and_branch_through_github_oidc():
    template = yaml.safe_load(TEMPLATES["collector"].read_text())

    [statement] = template["Resources"]["CollectorRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = statement["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert conditions["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${GitHubRepository}:ref:refs/heads/${GitHubBranch}"
    }


def test_the_member_role_trusts_only_the_collector_role():
    template = yaml.safe_load(TEMPLATES["member"].read_text())

    [statement] = template["Resources"]["MemberRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]

    assert statement["Principal"] == {"AWS": {"Ref": "CollectorRoleArn"}}
