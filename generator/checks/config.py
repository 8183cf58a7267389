"""AWS Config checks: recorders, the aggregator, and the rules that detect drift.

Recorders and rules are regional. The aggregator and the two IAM rules are judged once per
account: an aggregator in any region gathers all of them, and IAM is global, so one region's
rule evaluates every IAM user. These global checks look in every region of the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.checks.base import AwsView, Check, Finding, FindingStatus

CONFORMANCE_PACKS = "config-conforms.amazonaws.com"
"""The CreatedBy of rules a conformance pack deployed; DescribeConfigRules lists them too."""

GONE_STATES = frozenset({"DELETING", "DELETING_RESULTS"})
UNUSED_CREDENTIALS = "IAM_USER_UNUSED_CREDENTIALS_CHECK"
KEYS_ROTATED = "ACCESS_KEYS_ROTATED"

MAX_AGE_DAYS = 90
"""The most days the IAM rules may allow a credential; also AWS's default for both."""

MAX_AGE_PARAMETERS = {
    UNUSED_CREDENTIALS: "maxCredentialUsageAge",
    KEYS_ROTATED: "maxAccessKeyAge",
}
"""The InputParameters key that sets each IAM rule's number of days."""


@dataclass(frozen=True)
class ConfigRule:
    name: str
    arn: str
    managed_rule: str | None
    """The AWS managed rule's identifier (e.g. ACCESS_KEYS_ROTATED); None for custom rules."""

    from_pack: bool
    input_parameters: str = "{}"
    """The rule's parameters as Config keeps them: a JSON object, in a string."""


@dataclass(frozen=True)
class Aggregator:
    arn: str
    name: str
    all_regions: bool
    regions: frozenset[str]


def recorder_states(view: AwsView) -> dict[str, bool]:
    """Return whether each configuration recorder of the view's region is recording, by name."""
    recorders = view.call("config", "DescribeConfigurationRecorders")
    statuses = view.call("config", "DescribeConfigurationRecorderStatus")
    recording = {
        status["name"]: bool(status.get("recording", False))
        for status in statuses.get("ConfigurationRecordersStatus", [])
    }
    return {
        recorder["name"]: recording.get(recorder["name"], False)
        for recorder in recorders.get("ConfigurationRecorders", [])
    }


def recorder_recording(view: AwsView) -> list[Finding]:
    """An AWS Config configuration recorder is recording in the region.

    ```yaml
    checks: [config_recorder_recording]
    ```
    """
    account, region = view.account, view.region
    states = recorder_states(view)
    if not states:
        reason = f"Account {account} has no AWS Config recorder in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    recording = [name for name, is_on in states.items() if is_on]
    if recording:
        reason = "Config recorder {} is recording in {}."
        return [Finding(n, FindingStatus.PASS, reason.format(n, region)) for n in recording]
    reason = "Config recorder {} is not recording in {}."
    return [Finding(n, FindingStatus.FAIL, reason.format(n, region)) for n in states]


def aggregators(view: AwsView) -> list[Aggregator]:
    """Return the configuration aggregators of the view's region."""
    response = view.call("config", "DescribeConfigurationAggregators")
    found = []
    for item in response.get("ConfigurationAggregators", []):
        sources = list(item.get("AccountAggregationSources", []))
        if "OrganizationAggregationSource" in item:
            sources.append(item["OrganizationAggregationSource"])
        found.append(
            Aggregator(
                arn=item["ConfigurationAggregatorArn"],
                name=item["ConfigurationAggregatorName"],
                all_regions=any(source.get("AllAwsRegions", False) for source in sources),
                regions=frozenset(r for source in sources for r in source.get("AwsRegions", [])),
            )
        )
    return found


def aggregator_all_regions(view: AwsView) -> list[Finding]:
    """An AWS Config aggregator gathers data from all regions.

    Aggregators are looked for in every region of the run; one that aggregates all AWS
    regions, or at least every region of the run, passes. An aggregator kept in another
    account (a delegated administrator) is not visible from here, so such accounts fail.

    ```yaml
    checks: [config_aggregator_all_regions]
    ```
    """
    account, wanted = view.account, set(view.regions())
    view.prefetch("config", "DescribeConfigurationAggregators", regions=view.regions())
    found = [a for region in view.regions() for a in aggregators(view.in_region(region))]
    if not found:
        reason = f"Account {account} has no AWS Config aggregator."
        return [Finding(account, FindingStatus.FAIL, reason)]

    missing = {a.arn: [] if a.all_regions else sorted(wanted - a.regions) for a in found}
    complete = [a for a in found if not missing[a.arn]]
    if complete:
        reason = "Config aggregator {} gathers data from all regions."
        return [Finding(a.arn, FindingStatus.PASS, reason.format(a.name)) for a in complete]
    return [
        Finding(
            a.arn,
            FindingStatus.FAIL,
            f"Config aggregator {a.name} leaves out {', '.join(missing[a.arn])}.",
        )
        for a in found
    ]


def config_rules(view: AwsView) -> list[ConfigRule]:
    """Return the Config rules of the view's region that are not being deleted."""
    response = view.call("config", "DescribeConfigRules")
    rules = []
    for item in response.get("ConfigRules", []):
        if item.get("ConfigRuleState") in GONE_STATES:
            continue
        source = item["Source"]
        rules.append(
            ConfigRule(
                name=item["ConfigRuleName"],
                arn=item["ConfigRuleArn"],
                managed_rule=source.get("SourceIdentifier") if source["Owner"] == "AWS" else None,
                from_pack=item.get("CreatedBy") == CONFORMANCE_PACKS,
                input_parameters=item.get("InputParameters") or "{}",
            )
        )
    return rules


def rules_deployed(view: AwsView) -> list[Finding]:
    """AWS Config rules, on their own or from conformance packs, evaluate the region.

    DescribeConfigRules lists the rules conformance packs deploy as well (their CreatedBy
    is config-conforms.amazonaws.com), so it alone shows whether drift is being detected.

    ```yaml
    checks: [config_rules_deployed]
    ```
    """
    account, region = view.account, view.region
    rules = config_rules(view)
    if not rules:
        reason = f"Account {account} has no AWS Config rules or conformance packs in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    from_packs = sum(rule.from_pack for rule in rules)
    reason = (
        f"Account {account} has {len(rules)} AWS Config rules in {region}, "
        f"{from_packs} of them from conformance packs."
    )
    return [Finding(account, FindingStatus.PASS, reason)]


def max_age_gap(rule: ConfigRule, parameter: str) -> str | None:
    """Return how ``rule`` allows credentials more than 90 days through ``parameter``, or None.

    AWS applies 90 days when the parameter is absent.
    """
    try:
        parameters = json.loads(rule.input_parameters)
    except ValueError:
        return "its InputParameters are not JSON"
    if not isinstance(parameters, dict):
        return "its InputParameters are not a JSON object"

    value = parameters.get(parameter, MAX_AGE_DAYS)
    try:
        # Config keeps parameter values as strings ("90"); a bare number is accepted too.
        days = int(value)
    except (TypeError, ValueError):
        return f"its {parameter} {value!r} is not a whole number of days"
    if days > MAX_AGE_DAYS:
        return f"its {parameter} is {days} days, over {MAX_AGE_DAYS}"
    return None


def managed_rule_deployed(view: AwsView, identifier: str) -> list[Finding]:
    """Return findings on the AWS managed Config rule ``identifier`` in the run's regions.

    A rule passes when it allows at most 90 days; one such rule is enough.
    """
    account, regions = view.account, view.regions()
    view.prefetch("config", "DescribeConfigRules", regions=regions)
    found = [
        (region, rule)
        for region in regions
        for rule in config_rules(view.in_region(region))
        if rule.managed_rule == identifier
    ]
    if not found:
        reason = f"Account {account} has no {identifier} Config rule in {', '.join(regions)}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    gaps = {rule.arn: max_age_gap(rule, MAX_AGE_PARAMETERS[identifier]) for _, rule in found}
    sound = [(region, rule) for region, rule in found if gaps[rule.arn] is None]
    if sound:
        reason = "Config rule {} ({}) is deployed in {} and allows at most {} days."
        return [
            Finding(
                rule.arn,
                FindingStatus.PASS,
                reason.format(rule.name, identifier, region, MAX_AGE_DAYS),
            )
            for region, rule in sound
        ]
    return [
        Finding(
            rule.arn,
            FindingStatus.FAIL,
            f"Config rule {rule.name} ({identifier}) in {region} is too lax: {gaps[rule.arn]}.",
        )
        for region, rule in found
    ]


def iam_unused_credentials_rule_deployed(view: AwsView) -> list[Finding]:
    """The managed rule iam-user-unused-credentials-check is deployed in some region of the run.

    Its maxCredentialUsageAge is at most 90 days, AWS's default when the parameter is not set.

    ```yaml
    checks: [config_iam_unused_credentials_rule_deployed]
    ```
    """
    return managed_rule_deployed(view, UNUSED_CREDENTIALS)


def access_keys_rotated_rule_deployed(view: AwsView) -> list[Finding]:
    """The managed rule access-keys-rotated is deployed in some region of the run.

    Its maxAccessKeyAge is at most 90 days, AWS's default when the parameter is not set.

    ```yaml
    checks: [config_access_keys_rotated_rule_deployed]
    ```
    """
    return managed_rule_deployed(view, KEYS_ROTATED)


CHECKS = [
    Check(
        id="config_recorder_recording",
        title="AWS Config is recording",
        rule="An AWS Config configuration recorder is recording in every region.",
        service="config",
        scope="regional",
        permissions=(
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
        ),
        evaluate=recorder_recording,
    ),
    Check(
        id="config_aggregator_all_regions",
        title="An AWS Config aggregator covers all regions",
        rule="An AWS Config aggregator in the account gathers data from all regions.",
        service="config",
        scope="global",
        permissions=("config:DescribeConfigurationAggregators",),
        evaluate=aggregator_all_regions,
    ),
    Check(
        id="config_rules_deployed",
        title="AWS Config rules detect drift",
        rule="AWS Config rules or conformance packs are deployed in every region.",
        service="config",
        scope="regional",
        permissions=("config:DescribeConfigRules",),
        evaluate=rules_deployed,
    ),
    Check(
        id="config_iam_unused_credentials_rule_deployed",
        title="Config rule for unused IAM credentials is deployed",
        rule=(
            f"The AWS managed Config rule {UNUSED_CREDENTIALS} is deployed in at least one "
            f"region of the account with maxCredentialUsageAge at most {MAX_AGE_DAYS} days."
        ),
        service="config",
        scope="global",
        permissions=("config:DescribeConfigRules",),
        evaluate=iam_unused_credentials_rule_deployed,
    ),
    Check(
        id="config_access_keys_rotated_rule_deployed",
        title="Config rule for access key rotation is deployed",
        rule=(
            f"The AWS managed Config rule {KEYS_ROTATED} is deployed in at least one region "
            f"of the account with maxAccessKeyAge at most {MAX_AGE_DAYS} days."
        ),
        service="config",
        scope="global",
        permissions=("config:DescribeConfigRules",),
        evaluate=access_keys_rotated_rule_deployed,
    ),
]
