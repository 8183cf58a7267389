"""The CloudTrail checks against a moto server."""

from __future__ import annotations

import json

import pytest

from generator.aws.clients import observe_clients
from generator.aws.view import LiveView, ResponseStore
from generator.checks.base import GLOBAL, FindingStatus
from generator.checks.cloudtrail import (
    data_events_logged,
    multi_region_trail_logging,
    trail_bucket_not_public,
)

REGIONS = ["us-east-1", "eu-west-1"]
S3_OBJECTS = {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}
LAMBDA_FUNCTIONS = {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}


def global_view(factory, account):
    """A view with its own response store, so it sees what was seeded since the last one."""
    return LiveView(ResponseStore(factory), account, GLOBAL, REGIONS)


def trail_arn(region, name, account="123456789012"):
    return f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"


def select_management_events(cloudtrail, trail, read_write="All"):
    selector = {"ReadWriteType": read_write, "IncludeManagementEvents": True}
    cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=[selector])


def select_data_events(cloudtrail, trail, *resources):
    selector = {"ReadWriteType": "All", "DataResources": list(resources)}
    cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=[selector])


def make_trail(seed, name, bucket, region="us-east-1", logging=True, **settings):
    seed("s3").create_bucket(Bucket=bucket)
    cloudtrail = seed("cloudtrail", region)
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, **settings)
    if logging:
        cloudtrail.start_logging(Name=name)
    return cloudtrail


def test_without_trails_each_check_fails_on_the_account(factory, account):
    view = global_view(factory, account)

    outcomes = [check(view) for check in (multi_region_trail_logging, trail_bucket_not_public)]
    [data_events] = data_events_logged(view)

    assert [[(f.resource, f.status) for f in findings] for findings in outcomes] == [
        [(account, FindingStatus.FAIL)],
        [(account, FindingStatus.FAIL)],
    ]
    assert outcomes[0][0].reason == f"Account {account} has no multi-region CloudTrail trail."
    assert (data_events.resource, data_events.status) == (account, FindingStatus.FAIL)
    assert data_events.reason == (
        f"No logging trail of account {account} records S3 object or Lambda function data events."
    )


def test_a_sound_multi_region_trail_passes_once_whatever_else_exists(seed, factory, account):
    main = make_trail(
        seed, "main-trail", "logs", IsMultiRegionTrail=True, EnableLogFileValidation=True
    )
    select_management_events(main, "main-trail")
    make_trail(seed, "stopped-trail", "logs", IsMultiRegionTrail=True, logging=False)
    make_trail(seed, "eu-only", "eu-logs", region="eu-west-1", EnableLogFileValidation=True)

    findings = multi_region_trail_logging(global_view(factory, account))

    # Seen as a shadow trail from eu-west-1 too, the sound trail is still judged once.
    assert [(f.resource, f.status) for f in findings] == [
        (trail_arn("us-east-1", "main-trail"), FindingStatus.PASS)
    ]


def test_multi_region_trails_without_logging_or_validation_fail_naming_each_gap(
    seed, factory, account
):
    unvalidated = make_trail(seed, "unvalidated", "logs", IsMultiRegionTrail=True)
    select_management_events(unvalidated, "unvalidated")
    stopped = make_trail(
        seed,
        "eu-stopped",
        "logs",
        region="eu-west-1",
        logging=False,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
    )
    select_management_events(stopped, "eu-stopped")

    findings = multi_region_trail_logging(global_view(factory, account))

    assert [(f.resource, f.status, f.reason) for f in findings] == [
        (
            trail_arn("eu-west-1", "eu-stopped"),
            FindingStatus.FAIL,
            f"Multi-region trail {trail_arn('eu-west-1', 'eu-stopped')} is not logging.",
        ),
        (
            trail_arn("us-east-1", "unvalidated"),
            FindingStatus.FAIL,
            f"Multi-region trail {trail_arn('us-east-1', 'unvalidated')} "
            "has log file validation off.",
        ),
    ]


MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


def advanced(*field_selectors):
    return {
        "AdvancedEventSelectors": [{"Name": "management", "FieldSelectors": list(field_selectors)}]
    }


def classic(*selectors):
    return {"EventSelectors": list(selectors)}


SELECTORS = {
    "classic-all": (classic({"ReadWriteType": "All", "IncludeManagementEvents": True}), ""),
    "classic-halves": (
        classic(
            {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True},
            {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True},
        ),
        "",
    ),
    "advanced-all": (advanced(MANAGEMENT), ""),
    "data-only": (
        classic(
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": False,
                "DataResources": [S3_OBJECTS],
            }
        ),
        "read or write",
    ),
    "writes-only": (
        classic({"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}),
        "read",
    ),
    "advanced-reads": (advanced(MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}), "write"),
    "advanced-not-reads": (
        advanced(MANAGEMENT, {"Field": "readOnly", "NotEquals": ["true"]}),
        "read",
    ),
    "advanced-data": (
        advanced(
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        ),
        "read or write",
    ),
    "no-selectors": (None, "read or write"),
}
"""Event selectors of a logging, validated multi-region trail, and the management events it
fails to record ("" when it records reads and writes)."""


@pytest.mark.parametrize("name", list(SELECTORS))
def test_a_multi_region_trail_must_record_read_and_write_management_events(
    seed, factory, account, name
):
    selectors, missing = SELECTORS[name]
    cloudtrail = make_trail(
        seed, name, "logs", IsMultiRegionTrail=True, EnableLogFileValidation=True
    )
    if selectors is not None:
        cloudtrail.put_event_selectors(TrailName=name, **selectors)

    [finding] = multi_region_trail_logging(global_view(factory, account))

    arn = trail_arn("us-east-1", name)
    if missing:
        assert (finding.resource, finding.status) == (arn, FindingStatus.FAIL)
        assert finding.reason == (
            f"Multi-region trail {arn} does not record {missing} management events."
        )
    else:
        assert (finding.resource, finding.status) == (arn, FindingStatus.PASS)


def test_the_checks_share_one_get_event_selectors_call_per_trail(seed, factory, account):
    asked = []

    def count(client):
        def record(model, **_):
            asked.append(model.name)

        client.meta.events.register("provide-client-params.cloudtrail", record)

    remove = observe_clients(count)
    try:
        trail = make_trail(seed, "main", "logs", IsMultiRegionTrail=True)
        select_management_events(trail, "main")
        view = global_view(factory, account)
        multi_region_trail_logging(view)
        data_events_logged(view)
    finally:
        remove()

    assert asked.count("GetEventSelectors") == 1


def test_trail_buckets_fail_when_public_by_policy_or_acl(seed, factory, account):
    s3 = seed("s3")
    make_trail(seed, "private-trail", "private-logs", IsMultiRegionTrail=True)
    make_trail(seed, "policy-trail", "policy-logs")
    make_trail(seed, "acl-trail", "acl-logs")
    make_trail(seed, "ignored-acl-trail", "ignored-acl-logs")
    public_read = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::policy-logs/*",
    }
    s3.put_bucket_policy(
        Bucket="policy-logs",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [public_read]}),
    )
    s3.put_bucket_acl(Bucket="acl-logs", ACL="authenticated-read")
    s3.put_bucket_acl(Bucket="ignored-acl-logs", ACL="public-read")
    s3.put_public_access_block(
        Bucket="ignored-acl-logs",
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True},
    )

    findings = trail_bucket_not_public(global_view(factory, account))

    assert [(f.resource, f.status) for f in findings] == [
        ("acl-logs", FindingStatus.FAIL),
        ("ignored-acl-logs", FindingStatus.PASS),
        ("policy-logs", FindingStatus.FAIL),
        ("private-logs", FindingStatus.PASS),
    ]
    assert findings[0].reason == (
        "CloudTrail bucket acl-logs is exposed: its ACL grants READ to every AWS account."
    )
    assert (
        findings[2].reason
        == "CloudTrail bucket policy-logs is exposed: its bucket policy is public."
    )


def test_s3_and_lambda_data_events_pass_from_classic_and_advanced_selectors(seed, factory, account):
    select_data_events(make_trail(seed, "s3-data", "logs"), "s3-data", S3_OBJECTS)
    lambda_trail = make_trail(seed, "lambda-data", "eu-logs", region="eu-west-1")
    lambda_trail.put_event_selectors(
        TrailName="lambda-data",
        AdvancedEventSelectors=[
            {
                "Name": "Lambda invocations",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
                ],
            }
        ],
    )

    [finding] = data_events_logged(global_view(factory, account))

    assert (finding.resource, finding.status) == (account, FindingStatus.PASS)
    assert finding.reason == (
        f"Account {account} records S3 object data events ({trail_arn('us-east-1', 's3-data')}) "
        f"and Lambda function data events ({trail_arn('eu-west-1', 'lambda-data')})."
    )


def test_data_events_of_a_stopped_trail_do_not_count(seed, factory, account):
    select_data_events(make_trail(seed, "s3-data", "logs"), "s3-data", S3_OBJECTS)
    stopped = make_trail(seed, "stopped", "logs", logging=False)
    select_data_events(stopped, "stopped", S3_OBJECTS, LAMBDA_FUNCTIONS)

    [finding] = data_events_logged(global_view(factory, account))

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert finding.reason.endswith("records Lambda function data events.")
