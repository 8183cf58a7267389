"""The IAM policy allows every API operation the project really called during the test suite,
and every action it allows was called.

Named to run last among the AWS tests: the session-wide ``api_calls`` recorder (see
conftest.py) has by then seen every call a ClientFactory client made, in every test before
this one. The first test also runs every registered check itself, so it proves something even
when run alone; the second needs every check's tests to have run, and skips otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.aws.engine import collect
from generator.checks import registry
from generator.policy import actions

IAM_PREFIXES = {
    "accessanalyzer": "access-analyzer",
    "apigatewayv2": "apigateway",
    "cloudhsmv2": "cloudhsm",
    "dynamodbstreams": "dynamodb",
    "efs": "elasticfilesystem",
    "elb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "emr": "elasticmapreduce",
    "opensearch": "es",
    "resourcegroupstaggingapi": "tag",
    "s3control": "s3",
    "sesv2": "ses",
    "sso-admin": "sso",
    "stepfunctions": "states",
}
"""IAM service prefixes that differ from boto3 service names; the rest are the same."""

IAM_ACTIONS = {
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "GetBucketReplication"): "GetReplicationConfiguration",
    ("s3", "GetObjectLockConfiguration"): "GetBucketObjectLockConfiguration",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3control", "GetPublicAccessBlock"): "GetAccountPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "PutAccountPublicAccessBlock",
}
"""Operations whose IAM action has another name than the operation (S3's older naming)."""

TEST_SETUP = {"s3:PutAccountPublicAccessBlock"}
"""Writes tests make through the factory because the plain ``seed`` clients cannot reach S3
Control without a name lookup; no check makes them."""

ENGINE_TESTS = {"test_aws_clients.py", "test_aws_view.py", "test_api_call_recorder.py"}
"""Tests of the client factory, the view and the recorder, which call arbitrary operations,
not checks'."""

NEVER_CALLED: dict[str, str] = {}
"""Declared actions no test calls, each with why; anything else declared and never called is
likely a misspelt action, which IAM accepts silently and the role then lacks."""

CHECK_TESTS = sorted(path.name for path in Path(__file__).parent.glob("test_checks_*.py"))


def iam_action(service: str, operation: str) -> str:
    """Return the IAM action that allows ``operation`` of the boto3 ``service``."""
    prefix = IAM_PREFIXES.get(service, service)
    return f"{prefix}:{IAM_ACTIONS.get((service, operation), operation)}"


def test_operations_are_named_as_iam_names_them():
    assert iam_action("sso-admin", "ListInstances") == "sso:ListInstances"
    assert iam_action("elbv2", "DescribeListeners") == "elasticloadbalancing:DescribeListeners"
    assert iam_action("s3control", "GetPublicAccessBlock") == "s3:GetAccountPublicAccessBlock"
    assert iam_action("macie2", "GetMacieSession") == "macie2:GetMacieSession"


def test_every_operation_called_through_the_factory_is_in_the_policy(api_calls, factory):
    collect(list(registry().values()), {}, factory, regions=["eu-west-1"])

    allowed = {action.lower() for action in actions(registry().values())}
    called = {
        iam_action(service, operation)
        for service, operation, test_file in api_calls.calls
        if test_file not in ENGINE_TESTS
    }
    missing = sorted(a for a in called - TEST_SETUP if a.lower() not in allowed)

    assert {"sts:GetCallerIdentity", "ec2:DescribeRegions"} <= called
    assert missing == [], "declare these in the checks' permissions"


def test_every_action_the_policy_allows_was_called_during_the_suite(api_calls, request):
    ran = {item.path.name for item in request.session.items}
    if not set(CHECK_TESTS) <= ran:
        pytest.skip("needs every test_checks_*.py of tests/aws in the same run")

    called = {
        iam_action(service, operation).lower()
        for service, operation, test_file in api_calls.calls
        if test_file not in ENGINE_TESTS
    }
    declared = actions(registry().values())
    never_called = sorted(a for a in declared if a.lower() not in called and a not in NEVER_CALLED)

    assert never_called == [], "misspelt, or untested: call them in a test or explain them"
    assert set(NEVER_CALLED) <= set(declared), "no longer declared: drop from NEVER_CALLED"
