"""EventBridge checks: GuardDuty findings reach people. Regional, as GuardDuty publishes each
finding to the default event bus of the region where its detector found it.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.checks.base import AwsView, Check, Finding, FindingStatus

GUARDDUTY_SOURCE = "aws.guardduty"
HIGH_SEVERITY_SAMPLES = (7.0, 8.0, 8.9, 9.0, 10.0)
"""GuardDuty severities a rule must let through: HIGH is 7.0 to 8.9, CRITICAL 9.0 to 10.0.
https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html"""

NUMERIC_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Rule:
    name: str
    arn: str
    pattern: dict[str, Any]


def is_sns_topic(arn: str) -> bool:
    """Return whether ``arn`` names an SNS topic, in any partition."""
    parts = arn.split(":")
    return len(parts) > 2 and parts[0] == "arn" and parts[2] == "sns"


def guardduty_rules(view: AwsView) -> list[Rule]:
    """Return the enabled rules of the default event bus that match GuardDuty events."""
    response = view.call("events", "ListRules")
    rules = []
    for item in response.get("Rules", []):
        # Scheduled rules have no pattern; a state may also read ENABLED_WITH_ALL_CLOUDTRAIL_...
        if "EventPattern" not in item or not item.get("State", "").startswith("ENABLED"):
            continue
        pattern = json.loads(item["EventPattern"])
        if GUARDDUTY_SOURCE in pattern.get("source", []):
            rules.append(Rule(item["Name"], item["Arn"], pattern))
    return rules


def targets(view: AwsView, rule: Rule) -> list[str]:
    """Return the ARNs ``rule`` sends matching events to."""
    response = view.call("events", "ListTargetsByRule", Rule=rule.name)
    return [target["Arn"] for target in response.get("Targets", [])]


def lets_through(condition: Any, severity: float) -> bool:
    """Return whether one condition of an EventBridge pattern matches ``severity``."""
    if isinstance(condition, bool):
        return False
    if isinstance(condition, int | float):
        return float(condition) == severity
    if not isinstance(condition, dict):
        return False

    if condition.get("exists") is True:
        return True
    terms = condition.get("numeric")
    if not isinstance(terms, list) or len(terms) % 2:
        return False
    return all(
        op in NUMERIC_OPERATORS and NUMERIC_OPERATORS[op](severity, float(bound))
        for op, bound in zip(terms[::2], terms[1::2], strict=True)
    )


def routes_high_findings(pattern: dict[str, Any]) -> bool:
    """Return whether ``pattern`` lets every HIGH and CRITICAL finding severity through."""
    detail = pattern.get("detail", {})
    severity = detail.get("severity") if isinstance(detail, dict) else None
    if severity is None:
        return True
    if not isinstance(severity, list):
        return False
    return all(
        any(lets_through(condition, sample) for condition in severity)
        for sample in HIGH_SEVERITY_SAMPLES
    )


def rule_gaps(view: AwsView, rule: Rule, sns_only: bool) -> list[str]:
    """Return how ``rule`` falls short of routing HIGH and CRITICAL findings, as verb phrases."""
    gaps = []
    arns = targets(view, rule)
    if sns_only and not any(is_sns_topic(arn) for arn in arns):
        gaps.append("has no SNS topic target")
    elif not arns:
        gaps.append("has no target")

    if not routes_high_findings(rule.pattern):
        gaps.append("filters out some HIGH or CRITICAL findings")
    return gaps


def judge_rules(view: AwsView, sns_only: bool) -> list[Finding]:
    """Return pass findings for the rules that route HIGH and CRITICAL findings, or failures."""
    account, region = view.account, view.region
    rules = guardduty_rules(view)
    view.prefetch("events", "ListTargetsByRule", [{"Rule": rule.name} for rule in rules])
    judged = [(rule, rule_gaps(view, rule, sns_only)) for rule in rules]
    if not judged:
        reason = f"Account {account} has no enabled EventBridge rule for GuardDuty in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    destination = "an SNS topic" if sns_only else "a target"
    routed = [rule for rule, gaps in judged if not gaps]
    if routed:
        reason = "Rule {} sends HIGH and CRITICAL GuardDuty findings to {}."
        return [
            Finding(rule.arn, FindingStatus.PASS, reason.format(rule.name, destination))
            for rule in routed
        ]
    return [
        Finding(rule.arn, FindingStatus.FAIL, f"GuardDuty rule {rule.name} {' and '.join(gaps)}.")
        for rule, gaps in judged
    ]


def guardduty_sns_alerting(view: AwsView) -> list[Finding]:
    """An enabled EventBridge rule sends HIGH and CRITICAL GuardDuty findings to an SNS topic.

    A rule counts when its pattern has source ``aws.guardduty`` and either no
    ``detail.severity`` filter or one that lets severities 7.0 to 10.0 through (numeric
    ranges, listed values or ``exists``); other filters of the pattern are not judged.

    ```yaml
    checks: [events_guardduty_sns_alerting]
    ```
    """
    return judge_rules(view, sns_only=True)


def guardduty_high_findings_routed(view: AwsView) -> list[Finding]:
    """An enabled EventBridge rule routes HIGH and CRITICAL GuardDuty findings to any target.

    The target may be a ticketing system's API destination, a Lambda function or a queue;
    patterns are judged as for ``events_guardduty_sns_alerting``.

    ```yaml
    checks: [events_guardduty_high_findings_routed]
    ```
    """
    return judge_rules(view, sns_only=False)


PERMISSIONS = ("events:ListRules", "events:ListTargetsByRule")

CHECKS = [
    Check(
        id="events_guardduty_sns_alerting",
        title="HIGH GuardDuty findings alert through SNS",
        rule=(
            "An enabled EventBridge rule sends GuardDuty findings of severity 7.0 and above to "
            "an SNS topic in every region."
        ),
        service="events",
        scope="regional",
        permissions=PERMISSIONS,
        evaluate=guardduty_sns_alerting,
    ),
    Check(
        id="events_guardduty_high_findings_routed",
        title="HIGH and CRITICAL GuardDuty findings are routed",
        rule=(
            "An enabled EventBridge rule routes GuardDuty findings of severity 7.0 and above to "
            "a target in every region."
        ),
        service="events",
        scope="regional",
        permissions=PERMISSIONS,
        evaluate=guardduty_high_findings_routed,
    ),
]
