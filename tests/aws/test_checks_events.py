"""The EventBridge checks on GuardDuty finding routes, against a moto server."""

from __future__ import annotations

import json

import pytest

from generator.checks.base import FindingStatus
from generator.checks.events import (
    guardduty_high_findings_routed,
    guardduty_sns_alerting,
    routes_high_findings,
)

TOPIC = "arn:aws:sns:{}:123456789012:security-alerts"
TICKETS = "arn:aws:lambda:{}:123456789012:function:open-ticket"


def guardduty_pattern(severity=None):
    pattern = {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}
    if severity is not None:
        pattern["detail"] = {"severity": severity}
    return pattern


@pytest.mark.parametrize(
    ("severity", "routed"),
    [
        (None, True),
        ([{"numeric": [">=", 7]}], True),
        ([{"numeric": [">", 6.9]}], True),
        ([{"exists": True}], True),
        ([{"numeric": [">=", 7, "<", 9]}], False),
        ([{"numeric": [">", 7]}], False),
        ([{"numeric": [">=", 4, "<", 7]}, 8, 8.0, 8.9, 9, 10], False),
        ([{"numeric": [">=", 4, "<", 7]}, 7, 8, 8.9, 9, 10], True),
        (["HIGH"], False),
    ],
)
def test_a_pattern_routes_high_findings_only_if_it_lets_7_to_10_through(severity, routed):
    assert routes_high_findings(guardduty_pattern(severity)) is routed


def put_rule(seed, region, name, pattern, target, state="ENABLED"):
    events = seed("events", region)
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), State=state)
    events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": target.format(region)}])
    return f"arn:aws:events:{region}:123456789012:rule/{name}"


def test_guardduty_rules_need_high_findings_and_the_right_target(seed, view, account):
    high_to_sns = put_rule(
        seed, "us-east-1", "high-to-sns", guardduty_pattern([{"numeric": [">=", 7]}]), TOPIC
    )
    all_to_tickets = put_rule(seed, "eu-west-1", "all-to-tickets", guardduty_pattern(), TICKETS)
    medium_to_sns = put_rule(
        seed,
        "eu-west-1",
        "medium-to-sns",
        guardduty_pattern([{"numeric": [">=", 4, "<", 7]}]),
        TOPIC,
    )
    put_rule(seed, "us-west-2", "paused", guardduty_pattern(), TOPIC, state="DISABLED")
    seed("events", "us-west-2").put_rule(Name="nightly", ScheduleExpression="rate(1 day)")

    def outcomes(check):
        return {
            region: [(f.resource, f.status) for f in check(view(region))]
            for region in ("us-east-1", "eu-west-1", "us-west-2")
        }

    assert outcomes(guardduty_sns_alerting) == {
        "us-east-1": [(high_to_sns, FindingStatus.PASS)],
        "eu-west-1": [(all_to_tickets, FindingStatus.FAIL), (medium_to_sns, FindingStatus.FAIL)],
        "us-west-2": [(account, FindingStatus.FAIL)],
    }
    assert outcomes(guardduty_high_findings_routed) == {
        "us-east-1": [(high_to_sns, FindingStatus.PASS)],
        "eu-west-1": [(all_to_tickets, FindingStatus.PASS)],
        "us-west-2": [(account, FindingStatus.FAIL)],
    }
    assert [f.reason for f in guardduty_sns_alerting(view("eu-west-1"))] == [
        "GuardDuty rule all-to-tickets has no SNS topic target.",
        "GuardDuty rule medium-to-sns filters out some HIGH or CRITICAL findings.",
    ]
