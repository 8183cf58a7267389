"""The read-only IAM policy built from the checks' declared permissions."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from generator.checks import registry
from generator.checks.base import Check
from generator.cli import main
from generator.policy import ENGINE_ACTIONS, actions, policy_json, read_only_policy

READ_VERB = re.compile(r"(Describe|Get|List|BatchGet)[A-Z]")
"""The verbs of IAM actions that only read."""

HARMLESS_WRITES = {
    # It only asks IAM to build the account's credential report, which GetCredentialReport
    # then reads; it changes no user, key or policy, and AWS rebuilds it at most every 4 hours.
    "iam:GenerateCredentialReport",
}
"""Actions the policy allows although their verb is not a read verb."""


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


def test_every_action_the_printed_policy_allows_only_reads():
    printed = CliRunner().invoke(main, ["iam-policy"])
    assert printed.exit_code == 0, printed.output
    [statement] = json.loads(printed.output)["Statement"]

    writes = [
        action
        for action in statement["Action"]
        if not READ_VERB.match(action.split(":", 1)[1]) and action not in HARMLESS_WRITES
    ]

    assert writes == [], "the collecting role must only read"
    assert set(statement["Action"]) >= HARMLESS_WRITES, "no longer needed: drop it"
