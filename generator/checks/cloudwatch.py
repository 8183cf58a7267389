"""CloudWatch checks: the CIS monitoring metric filters and the alarms that page on them.

Global: the filters live on the log group of the account's multi-region trail, in that log
group's region, whichever regions the run covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.checks.base import AwsView, Check, Finding, FindingStatus
from generator.checks.cloudtrail import is_logging, prefetch_by_trail, trails
from generator.checks.events import is_sns_topic


@dataclass(frozen=True)
class MonitoringItem:
    control: str
    """The Security Hub control that checks the same item, e.g. CloudWatch.1."""

    topic: str
    terms: tuple[str, ...]
    """Values a filter pattern must match with ``=`` (event names, error codes), each one as a
    whole word, to watch for this item; a ``*`` wildcard beside a value is allowed."""

    comparisons: tuple[tuple[str, str, str], ...] = ()
    """(field, operator, value) comparisons the pattern must also make, e.g. sign-ins whose
    ``MFAUsed`` is ``!=`` "Yes"."""


MONITORING_ITEMS = (
    MonitoringItem(
        "CloudWatch.2", "unauthorized API calls", ("UnauthorizedOperation", "AccessDenied")
    ),
    MonitoringItem(
        "CloudWatch.3",
        "console sign-in without MFA",
        ("ConsoleLogin",),
        (("MFAUsed", "!=", "Yes"),),
    ),
    MonitoringItem("CloudWatch.1", "root user activity", (), (("userIdentity.type", "=", "Root"),)),
    MonitoringItem(
        "CloudWatch.4",
        "IAM policy changes",
        (
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    MonitoringItem(
        "CloudWatch.5",
        "CloudTrail configuration changes",
        ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    MonitoringItem(
        "CloudWatch.6", "console authentication failures", ("ConsoleLogin", "Failed authentication")
    ),
    MonitoringItem(
        "CloudWatch.7", "disabling or deleting KMS keys", ("DisableKey", "ScheduleKeyDeletion")
    ),
    MonitoringItem(
        "CloudWatch.8",
        "S3 bucket policy changes",
        (
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ),
    ),
    MonitoringItem(
        "CloudWatch.9",
        "AWS Config changes",
        (
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ),
    ),
    MonitoringItem(
        "CloudWatch.10",
        "security group changes",
        (
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
    MonitoringItem(
        "CloudWatch.11",
        "network ACL changes",
        (
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ),
    ),
    MonitoringItem(
        "CloudWatch.12",
        "network gateway changes",
        (
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ),
    ),
    MonitoringItem(
        "CloudWatch.13",
        "route table changes",
        (
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ),
    ),
    MonitoringItem(
        "CloudWatch.14",
        "VPC changes",
        (
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
        ),
    ),
)
"""The 14 CIS monitoring items (CIS AWS Foundations 4.1 to 4.14), in CIS order."""


@dataclass(frozen=True)
class MetricFilter:
    name: str
    log_group: str
    region: str
    pattern: str
    metrics: frozenset[tuple[str, str]]
    """The (namespace, metric name) pairs the filter publishes."""


def log_group_location(arn: str) -> tuple[str, str]:
    """Return the region and name of the log group ``arn`` names."""
    # arn:aws:logs:<region>:<account>:log-group:<name>:*
    parts = arn.split(":")
    return parts[3], parts[6]


def monitored_log_groups(view: AwsView) -> list[str]:
    """Return the ARNs of the log groups that logging multi-region trails deliver to."""
    delivering = [trail for trail in trails(view) if trail.multi_region and trail.log_group_arn]
    prefetch_by_trail(view, "GetTrailStatus", "Name", delivering)
    return sorted(
        {
            trail.log_group_arn
            for trail in delivering
            if trail.log_group_arn and is_logging(view, trail)
        }
    )


def prefetch_metric_filters(view: AwsView, log_group_arns: list[str]) -> None:
    """Fetch ahead the metric filters of each of ``log_group_arns``, in its own region."""
    located = [log_group_location(arn) for arn in log_group_arns]
    for region in sorted({region for region, _ in located}):
        params = [{"logGroupName": name} for where, name in located if where == region]
        view.in_region(region).prefetch("logs", "DescribeMetricFilters", params)


def metric_filters(view: AwsView, log_group_arn: str) -> list[MetricFilter]:
    """Return the metric filters of the log group ``log_group_arn``."""
    region, name = log_group_location(log_group_arn)
    response = view.in_region(region).call("logs", "DescribeMetricFilters", logGroupName=name)
    return [
        MetricFilter(
            name=item["filterName"],
            log_group=name,
            region=region,
            pattern=item.get("filterPattern", ""),
            metrics=frozenset(
                (metric["metricNamespace"], metric["metricName"])
                for metric in item.get("metricTransformations", [])
            ),
        )
        for item in response.get("metricFilters", [])
    ]


def notifying_metrics(view: AwsView, region: str) -> frozenset[tuple[str, str]]:
    """Return the (namespace, metric name) pairs in ``region`` whose alarm notifies SNS."""
    response = view.in_region(region).call("cloudwatch", "DescribeAlarms")
    return frozenset(
        (alarm["Namespace"], alarm["MetricName"])
        for alarm in response.get("MetricAlarms", [])
        if "MetricName" in alarm
        and alarm.get("ActionsEnabled", True)
        and any(is_sns_topic(action) for action in alarm.get("AlarmActions", []))
    )


def compares(pattern: str, value: str, operator: str = "=", field: str | None = None) -> bool:
    """Return whether ``pattern`` compares ``field`` (any field when None) with ``value``.

    The value counts as a whole word (CreatePolicyVersion does not match CreatePolicy),
    quoted or not, with a ``*`` wildcard beside it; ``=`` never matches inside ``!=``.
    """
    subject = rf"(?<!\w){re.escape(field)}" if field else r"[\w.$\[\]]+"
    sign = r"(?<![!<>])=" if operator == "=" else re.escape(operator)
    literal = rf'"?\*?{re.escape(value)}\*?"?(?![A-Za-z0-9])'
    return re.search(rf"{subject}\s*{sign}\s*{literal}", pattern) is not None


def watches(pattern: str, item: MonitoringItem) -> bool:
    """Return whether a filter with ``pattern`` watches for ``item``."""
    return all(compares(pattern, term) for term in item.terms) and all(
        compares(pattern, value, operator, field) for field, operator, value in item.comparisons
    )


def judge_item(
    item: MonitoringItem,
    filters: list[MetricFilter],
    alarmed: dict[str, frozenset[tuple[str, str]]],
) -> Finding:
    """Return the finding on one monitoring item, given the filters and alarmed metrics."""
    label = f"{item.control} ({item.topic})"
    matching = [f for f in filters if watches(f.pattern, item)]
    if not matching:
        reason = f"{label}: no metric filter on the CloudTrail log group watches for it."
        return Finding(item.control, FindingStatus.FAIL, reason)

    watched = [f for f in matching if f.metrics & alarmed[f.region]]
    if not watched:
        names = ", ".join(f.name for f in matching)
        reason = f"{label}: no alarm that notifies an SNS topic watches metric filter {names}."
        return Finding(item.control, FindingStatus.FAIL, reason)

    first = watched[0]
    reason = f"{label}: metric filter {first.name} on {first.log_group} has an alarm to SNS."
    return Finding(item.control, FindingStatus.PASS, reason)


def cis_monitoring_alarms(view: AwsView) -> list[Finding]:
    """Each of the 14 CIS monitoring items has a metric filter and an alarm that notifies SNS.

    The filters must be on the CloudWatch Logs group of a multi-region trail that is logging.
    A filter watches for an item when its pattern matches each of the item's key event names
    or error codes with ``=`` (and makes the item's own comparisons, such as
    ``userIdentity.type = "Root"`` or ``MFAUsed != "Yes"``): the CIS patterns are matched by
    what they compare, not character for character, so spacing, quoting and extra conditions
    do not matter, but a negated comparison does not stand in for an equal one. The retired
    EC2-Classic ClassicLink events are not required of the VPC filter. An alarm counts when
    it watches the filter's metric (namespace and name), has its actions enabled, and one of
    its alarm actions is an SNS topic. One finding per item, named by its Security Hub control
    (CloudWatch.1 to 14).

    ```yaml
    checks: [cloudwatch_cis_monitoring_alarms]
    ```
    """
    log_groups = monitored_log_groups(view)
    if not log_groups:
        reason = "{} ({}): no multi-region trail that is logging delivers to CloudWatch Logs."
        return [
            Finding(item.control, FindingStatus.FAIL, reason.format(item.control, item.topic))
            for item in MONITORING_ITEMS
        ]

    prefetch_metric_filters(view, log_groups)
    filters = [f for arn in log_groups for f in metric_filters(view, arn)]
    regions = sorted({f.region for f in filters})
    view.prefetch("cloudwatch", "DescribeAlarms", regions=regions)
    alarmed = {region: notifying_metrics(view, region) for region in regions}
    return [judge_item(item, filters, alarmed) for item in MONITORING_ITEMS]


CHECKS = [
    Check(
        id="cloudwatch_cis_monitoring_alarms",
        title="CloudWatch alarms cover the 14 CIS monitoring items",
        rule=(
            "Each of the 14 CIS monitoring items has a metric filter on the multi-region "
            "trail's CloudWatch Logs group and an alarm on its metric that notifies an SNS topic."
        ),
        service="cloudwatch",
        scope="global",
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "logs:DescribeMetricFilters",
            "cloudwatch:DescribeAlarms",
        ),
        evaluate=cis_monitoring_alarms,
    ),
]
