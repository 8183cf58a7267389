"""The read-only IAM policy built from the checks' declared permissions."""

from __future__ import annotations

import json

from click.testing import CliRunner

from generator.checks import registry
from generator.checks.base import Check
from generator.cli import main
from generator.policy import ENGINE_ACTIONS, actions, policy_json, read_only_policy


def check_needing(*permissions):
    return Check(
        id="ec2_test_check",
        title="Test check",
        rule="Test rule.",
        service="ec2",
        scope="regional",
        permissions=permissions,
        evaluate=lambda view: [],
    )


def test_actions_are_unique_sorted_and_include_the_engines_own():
    checks = [
        check_needing("s3:ListAllMyBuckets", "ec2:DescribeVpcs"),
        check_needing("ec2:DescribeVpcs", "EC2:DescribeFlowLogs"),
    ]

    assert actions(checks) == [
        "EC2:DescribeFlowLogs",
        "ec2:DescribeRegions",
        "ec2:DescribeVpcs",
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "s3:ListAllMyBuckets",
        "sts:GetCallerIdentity",
    ]


def test_the_policy_allows_every_registered_checks_permissions_read_only_on_everything():
    policy = read_only_policy(registry().values())

    assert policy["Version"] == "2012-10-17"
    [statement] = policy["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Allow", "*")
    needed = {a for check in registry().values() for a in check.permissions}
    assert set(statement["Action"]) == needed | set(ENGINE_ACTIONS)
    assert len(statement["Action"]) == len(set(statement["Action"]))


def test_the_command_prints_the_same_json_every_time():
    runner = CliRunner()

    first = runner.invoke(main, ["iam-policy"])
    second = runner.invoke(main, ["iam-policy"])

    assert first.exit_code == 0, first.output
    assert first.output == second.output == policy_json(registry().values())
    assert json.loads(first.output) == read_only_policy(registry().values())
