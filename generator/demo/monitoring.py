"""Demo seeding for logging, monitoring and threat detection: a company half way there.

The first region is the company's main region and is mostly in order: a validated
multi-region trail to a private bucket, AWS Config recording, GuardDuty alerting through SNS,
Inspector and Macie on, and some of the CIS alarms. The other regions were left behind, and an
old single-region trail still writes to a bucket anyone can read. Security Hub stays off: the
demo's moto server has no Security Hub standards API, so an enabled hub could only show errors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

ACCOUNT = "123456789012"
"""The account the demo's moto server answers for."""

TRAIL_BUCKET = "acme-audit-trail-logs"
LEGACY_BUCKET = "acme-legacy-audit-logs"
CONFIG_BUCKET = "acme-config-history"
LOG_GROUP = "aws-cloudtrail-logs-acme"
ALARM_NAMESPACE = "CISBenchmark"

ALARMED_FILTERS = {
    "RootAccountUsage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
    '&& $.eventType != "AwsServiceEvent" }',
    "UnauthorizedAPICalls": '{ ($.errorCode = "*UnauthorizedOperation") || '
    '($.errorCode = "AccessDenied*") }',
    "IAMPolicyChanges": "{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
    "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || "
    "($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || "
    "($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || "
    "($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || "
    "($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || "
    "($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || "
    "($.eventName=DetachGroupPolicy) }",
    "CloudTrailChanges": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
    "($.eventName = StopLogging) }",
}
"""CIS metric filters whose alarms notify the security team."""

SILENT_FILTERS = {
    "ConsoleSignInWithoutMFA": '{ ($.eventName = "ConsoleLogin") && '
    '($.additionalEventData.MFAUsed != "Yes") }',
}
"""CIS metric filters whose alarm notifies nobody."""

Client = Callable[[str, str], Any]


def seed(client: Client, regions: list[str]) -> None:
    """Seed the demo account's trails, Config, GuardDuty, alarms, Inspector and Macie."""
    main, others = regions[0], regions[1:]
    topic = client("sns", main).create_topic(Name="security-alerts")["TopicArn"]

    seed_trails(client, main, others)
    seed_cis_alarms(client, main, topic)
    seed_config(client, main)
    seed_guardduty(client, main, others, topic)
    seed_scanners(client, main, others)
    logger.info("seeded monitoring demo regions=%s", ",".join(regions))


def create_bucket(client: Client, region: str, name: str) -> None:
    s3 = client("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def seed_trails(client: Client, main: str, others: list[str]) -> None:
    """A validated multi-region trail to a private bucket, and a legacy trail elsewhere."""
    create_bucket(client, main, TRAIL_BUCKET)
    s3 = client("s3", main)
    s3.put_public_access_block(
        Bucket=TRAIL_BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_policy(Bucket=TRAIL_BUCKET, Policy=json.dumps(trail_bucket_policy()))

    cloudtrail = client("cloudtrail", main)
    cloudtrail.create_trail(
        Name="acme-management-trail",
        S3BucketName=TRAIL_BUCKET,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{main}:{ACCOUNT}:log-group:{LOG_GROUP}:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
    )
    cloudtrail.put_event_selectors(
        TrailName="acme-management-trail",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [
                    {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::acme-customer-data/"]}
                ],
            }
        ],
    )
    cloudtrail.start_logging(Name="acme-management-trail")

    if others:
        seed_legacy_trail(client, main, others[0])


def seed_legacy_trail(client: Client, main: str, region: str) -> None:
    """A forgotten single-region trail, stopped, whose bucket anyone can read."""
    create_bucket(client, main, LEGACY_BUCKET)
    client("s3", main).put_bucket_acl(Bucket=LEGACY_BUCKET, ACL="public-read")
    client("cloudtrail", region).create_trail(Name="acme-legacy-trail", S3BucketName=LEGACY_BUCKET)


def trail_bucket_policy() -> dict[str, Any]:
    """The bucket policy CloudTrail needs to write its logs, and nothing more."""
    service = {"Service": "cloudtrail.amazonaws.com"}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": service,
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{TRAIL_BUCKET}",
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": service,
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{TRAIL_BUCKET}/AWSLogs/{ACCOUNT}/*",
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
            },
        ],
    }


def seed_cis_alarms(client: Client, main: str, topic: str) -> None:
    """Five of the fourteen CIS metric filters; one alarm among them notifies nobody."""
    logs, cloudwatch = client("logs", main), client("cloudwatch", main)
    logs.create_log_group(logGroupName=LOG_GROUP)
    for metric, pattern in (ALARMED_FILTERS | SILENT_FILTERS).items():
        logs.put_metric_filter(
            logGroupName=LOG_GROUP,
            filterName=metric,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": ALARM_NAMESPACE, "metricValue": "1"}
            ],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=f"cis-{metric}",
            MetricName=metric,
            Namespace=ALARM_NAMESPACE,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic] if metric in ALARMED_FILTERS else [],
        )


def seed_config(client: Client, main: str) -> None:
    """Config recording in the main region only, with an aggregator and rules there."""
    create_bucket(client, main, CONFIG_BUCKET)
    config = client("config", main)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-config-recorder",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": CONFIG_BUCKET})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    config.put_configuration_aggregator(
        ConfigurationAggregatorName="acme-main-region",
        AccountAggregationSources=[{"AccountIds": [ACCOUNT], "AwsRegions": [main]}],
    )

    rules = [
        ("access-keys-rotated", "ACCESS_KEYS_ROTATED", {"maxAccessKeyAge": "90"}),
        ("cloudtrail-enabled", "CLOUD_TRAIL_ENABLED", {}),
        ("s3-bucket-public-read-prohibited", "S3_BUCKET_PUBLIC_READ_PROHIBITED", {}),
    ]
    for name, identifier, parameters in rules:
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": name,
                "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
                "InputParameters": json.dumps(parameters),
            }
        )


def seed_guardduty(client: Client, main: str, others: list[str], topic: str) -> None:
    """GuardDuty in the main region alerting through SNS; elsewhere only a ticketing rule."""
    client("guardduty", main).create_detector(Enable=True, FindingPublishingFrequency="ONE_HOUR")
    high = {"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}
    events = client("events", main)
    events.put_rule(Name="guardduty-high-to-security-alerts", EventPattern=json.dumps(high))
    events.put_targets(
        Rule="guardduty-high-to-security-alerts", Targets=[{"Id": "security-alerts", "Arn": topic}]
    )

    for region in others:
        events = client("events", region)
        events.put_rule(
            Name="guardduty-to-ticketing", EventPattern=json.dumps({"source": ["aws.guardduty"]})
        )
        ticketing = f"arn:aws:lambda:{region}:{ACCOUNT}:function:open-security-ticket"
        events.put_targets(
            Rule="guardduty-to-ticketing", Targets=[{"Id": "ticketing", "Arn": ticketing}]
        )


def seed_scanners(client: Client, main: str, others: list[str]) -> None:
    """Inspector fully on in the main region, EC2 only elsewhere; Macie paused elsewhere."""
    client("inspector2", main).enable(resourceTypes=["EC2", "ECR", "LAMBDA"], accountIds=[ACCOUNT])
    client("macie2", main).enable_macie(status="ENABLED")
    for region in others:
        client("inspector2", region).enable(resourceTypes=["EC2"], accountIds=[ACCOUNT])
        client("macie2", region).enable_macie(status="PAUSED")
