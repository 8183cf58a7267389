"""The CloudWatch CIS monitoring check against a moto server."""

from __future__ import annotations

from generator.aws.view import LiveView, ResponseStore
from generator.checks.base import GLOBAL, FindingStatus
from generator.checks.cloudwatch import MONITORING_ITEMS, cis_monitoring_alarms, compares, watches

LOG_GROUP = "aws-cloudtrail-logs"
TOPIC = "arn:aws:sns:us-east-1:123456789012:security-alerts"

CIS_PATTERNS = {
    "CloudWatch.1": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
    '&& $.eventType != "AwsServiceEvent" }',
    "CloudWatch.2": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")'
    ' && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    "CloudWatch.3": '{ ($.eventName = "ConsoleLogin") && '
    '($.additionalEventData.MFAUsed != "Yes") }',
    "CloudWatch.4": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||"
    "($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||"
    "($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||"
    "($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||"
    "($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
    "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||"
    "($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    "CloudWatch.5": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "CloudWatch.6": "{ ($.eventName = ConsoleLogin) && "
    '($.errorMessage = "Failed authentication") }',
    "CloudWatch.7": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||"
    "($.eventName=ScheduleKeyDeletion)) }",
    "CloudWatch.8": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || "
    "($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || "
    "($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || "
    "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "CloudWatch.9": "{ ($.eventSource = config.amazonaws.com) && "
    "(($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||"
    "($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
    "CloudWatch.10": "{ ($.eventName = AuthorizeSecurityGroupIngress) || "
    "($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) ||"
    " ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || "
    "($.eventName = DeleteSecurityGroup) }",
    "CloudWatch.11": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) "
    "|| ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
    "($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "CloudWatch.12": "{ ($.eventName = CreateCustomerGateway) || "
    "($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || "
    "($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || "
    "($.eventName = DetachInternetGateway) }",
    "CloudWatch.13": "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || "
    "($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
    "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || "
    "($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
    "CloudWatch.14": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || "
    "($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || "
    "($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || "
    "($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || "
    "($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || "
    "($.eventName = EnableVpcClassicLink) }",
}
"""The CIS AWS Foundations v1.4 monitoring patterns, written with their varied spacing."""


def test_each_cis_pattern_watches_for_its_own_item_only():
    for item in MONITORING_ITEMS:
        watching = [control for control, p in CIS_PATTERNS.items() if watches(p, item)]

        assert watching == [item.control]


def test_a_policy_version_filter_does_not_stand_in_for_policy_creation():
    assert not compares("{ $.eventName = CreatePolicyVersion }", "CreatePolicy")


def test_a_negated_comparison_does_not_watch_for_an_item():
    root, no_mfa = MONITORING_ITEMS[2], MONITORING_ITEMS[1]

    assert not watches('{ $.userIdentity.type != "Root" }', root)
    assert not watches(
        '{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed = "Yes" }', no_mfa
    )
    assert not watches(
        "{ $.eventName != ConsoleLogin && $.additionalEventData.MFAUsed != Yes }", no_mfa
    )
    assert watches(
        '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "Yes" }', no_mfa
    )


def test_each_cis_item_needs_a_filter_and_an_alarm_that_notifies_sns(seed, factory, account):
    def fresh_view():
        return LiveView(ResponseStore(factory), account, GLOBAL, ["us-east-1"])

    untrailed = cis_monitoring_alarms(fresh_view())

    seed("s3").create_bucket(Bucket="trail-logs")
    cloudtrail = seed("cloudtrail")
    cloudtrail.create_trail(
        Name="main-trail",
        S3BucketName="trail-logs",
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{account}:log-group:{LOG_GROUP}:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/cloudtrail-to-logs",
    )
    cloudtrail.start_logging(Name="main-trail")
    logs, cloudwatch = seed("logs"), seed("cloudwatch")
    logs.create_log_group(logGroupName=LOG_GROUP)
    for control, pattern in CIS_PATTERNS.items():
        if control == "CloudWatch.14":
            continue
        metric = control.replace(".", "")
        logs.put_metric_filter(
            logGroupName=LOG_GROUP,
            filterName=f"cis-{metric}",
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=f"cis-{metric}",
            MetricName=metric,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[] if control == "CloudWatch.3" else [TOPIC],
        )

    findings = cis_monitoring_alarms(fresh_view())

    assert [f.status for f in untrailed] == [FindingStatus.FAIL] * 14
    assert untrailed[2].reason == (
        "CloudWatch.1 (root user activity): no multi-region trail that is logging delivers to "
        "CloudWatch Logs."
    )
    assert [f.resource for f in findings] == [item.control for item in MONITORING_ITEMS]
    assert [f.resource for f in findings if f.status is FindingStatus.FAIL] == [
        "CloudWatch.3",
        "CloudWatch.14",
    ]
    assert findings[-1].reason == (
        "CloudWatch.14 (VPC changes): no metric filter on the CloudTrail log group watches for it."
    )
    assert findings[1].reason == (
        "CloudWatch.3 (console sign-in without MFA): no alarm that notifies an SNS topic "
        "watches metric filter cis-CloudWatch3."
    )
    assert findings[0].reason == (
        f"CloudWatch.2 (unauthorized API calls): metric filter cis-CloudWatch2 on {LOG_GROUP} "
        "has an alarm to SNS."
    )
