"""The AWS Config checks against a moto server."""

from __future__ import annotations

from botocore.stub import Stubber

from generator.aws.view import LiveView, ResponseStore
from generator.checks.base import GLOBAL, FindingStatus
from generator.checks.config import (
    access_keys_rotated_rule_deployed,
    aggregator_all_regions,
    iam_unused_credentials_rule_deployed,
    recorder_recording,
    rules_deployed,
)

REGIONS = ["us-east-1", "eu-west-1"]
ROLE = "arn:aws:iam::123456789012:role/aws-config"


def put_recorder(seed, region, recording):
    config = seed("config", region)
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE})
    if recording:
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def put_managed_rule(seed, region, name, identifier, parameters="{}"):
    source = {"Owner": "AWS", "SourceIdentifier": identifier}
    seed("config", region).put_config_rule(
        ConfigRule={"ConfigRuleName": name, "Source": source, "InputParameters": parameters}
    )


def test_recorder_passes_where_recording_and_fails_where_stopped_or_missing(seed, view, account):
    seed("s3").create_bucket(Bucket="config")
    put_recorder(seed, "us-east-1", recording=True)
    put_recorder(seed, "eu-west-1", recording=False)

    outcomes = {
        region: [(f.resource, f.status) for f in recorder_recording(view(region))]
        for region in ("us-east-1", "eu-west-1", "us-west-2")
    }

    assert outcomes == {
        "us-east-1": [("default", FindingStatus.PASS)],
        "eu-west-1": [("default", FindingStatus.FAIL)],
        "us-west-2": [(account, FindingStatus.FAIL)],
    }


def test_aggregator_must_gather_every_region(seed, factory, account):
    def global_view():
        return LiveView(ResponseStore(factory), account, GLOBAL, REGIONS)

    [none] = aggregator_all_regions(global_view())
    seed("config").put_configuration_aggregator(
        ConfigurationAggregatorName="us-only",
        AccountAggregationSources=[{"AccountIds": [account], "AwsRegions": ["us-east-1"]}],
    )
    [partial] = aggregator_all_regions(global_view())
    seed("config", "eu-west-1").put_configuration_aggregator(
        ConfigurationAggregatorName="everywhere",
        AccountAggregationSources=[{"AccountIds": [account], "AllAwsRegions": True}],
    )
    [complete] = aggregator_all_regions(global_view())

    assert (none.resource, none.status) == (account, FindingStatus.FAIL)
    assert partial.status is FindingStatus.FAIL
    assert partial.resource.startswith(f"arn:aws:config:us-east-1:{account}:config-aggregator/")
    assert partial.reason == "Config aggregator us-only leaves out eu-west-1."
    assert complete.status is FindingStatus.PASS
    assert complete.resource.startswith(f"arn:aws:config:eu-west-1:{account}:config-aggregator/")


UNUSED = "IAM_USER_UNUSED_CREDENTIALS_CHECK"
ROTATED = "ACCESS_KEYS_ROTATED"


def test_managed_iam_rules_must_allow_at_most_90_days(seed, view, account):
    put_managed_rule(seed, "us-east-1", "unused-strict", UNUSED, '{"maxCredentialUsageAge": "45"}')
    put_managed_rule(seed, "us-east-1", "rotated-lax", ROTATED, '{"maxAccessKeyAge": "365"}')
    put_managed_rule(seed, "eu-west-1", "rotated-lax-too", ROTATED, '{"maxAccessKeyAge": 91}')

    [unused] = iam_unused_credentials_rule_deployed(view(GLOBAL, REGIONS))
    rotated = access_keys_rotated_rule_deployed(view(GLOBAL, REGIONS))

    assert unused.status is FindingStatus.PASS
    assert unused.reason == (
        f"Config rule unused-strict ({UNUSED}) is deployed in us-east-1 and allows at most 90 days."
    )
    assert [(f.status, f.reason) for f in rotated] == [
        (
            FindingStatus.FAIL,
            f"Config rule rotated-lax ({ROTATED}) in us-east-1 is too lax: "
            "its maxAccessKeyAge is 365 days, over 90.",
        ),
        (
            FindingStatus.FAIL,
            f"Config rule rotated-lax-too ({ROTATED}) in eu-west-1 is too lax: "
            "its maxAccessKeyAge is 91 days, over 90.",
        ),
    ]


def test_one_strict_iam_rule_is_enough_beside_a_lax_one(seed, view):
    put_managed_rule(seed, "us-east-1", "rotated-lax", ROTATED, '{"maxAccessKeyAge": "365"}')
    put_managed_rule(seed, "eu-west-1", "rotated", ROTATED, '{"maxAccessKeyAge": "90"}')

    [rotated] = access_keys_rotated_rule_deployed(view(GLOBAL, REGIONS))

    assert rotated.status is FindingStatus.PASS
    assert rotated.reason.startswith("Config rule rotated (")


def stubbed_rule(account, name, identifier, **extra):
    """A ConfigRules entry of DescribeConfigRules, as AWS gives it for an AWS managed rule."""
    return {
        "ConfigRuleName": name,
        "ConfigRuleArn": f"arn:aws:config:us-east-1:{account}:config-rule/config-rule-{name}",
        "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
        **extra,
    }


def test_managed_iam_rules_without_the_parameter_get_aws_default_of_90_days(factory, view, account):
    """Stubbed with botocore's Stubber: moto refuses these rules without their parameter, which
    AWS defaults to 90 days; it also keeps any text as InputParameters."""

    response = {
        "ConfigRules": [
            stubbed_rule(account, "unused", UNUSED),
            stubbed_rule(
                account, "rotated-odd", ROTATED, InputParameters='{"maxAccessKeyAge": "ninety"}'
            ),
            stubbed_rule(account, "rotated-broken", ROTATED, InputParameters="maxAccessKeyAge=90"),
        ]
    }
    with Stubber(factory.client("config", "us-east-1", account)) as stubber:
        stubber.add_response("describe_config_rules", response, {})
        [unused] = iam_unused_credentials_rule_deployed(view(GLOBAL))
        rotated = access_keys_rotated_rule_deployed(view(GLOBAL))

    assert unused.status is FindingStatus.PASS
    assert [(f.status, f.reason.split(": ", 1)[1]) for f in rotated] == [
        (FindingStatus.FAIL, "its maxAccessKeyAge 'ninety' is not a whole number of days."),
        (FindingStatus.FAIL, "its InputParameters are not JSON."),
    ]


def test_rules_deployed_per_region_and_managed_iam_rules_anywhere(seed, view, account):
    put_managed_rule(
        seed, "eu-west-1", "access-keys-rotated", "ACCESS_KEYS_ROTATED", '{"maxAccessKeyAge": "90"}'
    )
    put_managed_rule(seed, "eu-west-1", "s3-public-read", "S3_BUCKET_PUBLIC_READ_PROHIBITED")

    deployed = {region: rules_deployed(view(region)) for region in REGIONS}
    [rotated] = access_keys_rotated_rule_deployed(view(GLOBAL, REGIONS))
    [unused] = iam_unused_credentials_rule_deployed(view(GLOBAL, REGIONS))

    assert [(f.resource, f.status) for f in deployed["us-east-1"]] == [
        (account, FindingStatus.FAIL)
    ]
    assert deployed["eu-west-1"][0].status is FindingStatus.PASS
    assert deployed["eu-west-1"][0].reason == (
        f"Account {account} has 2 AWS Config rules in eu-west-1, 0 of them from conformance packs."
    )
    assert rotated.status is FindingStatus.PASS
    assert rotated.resource.startswith(f"arn:aws:config:eu-west-1:{account}:config-rule/")
    assert (unused.resource, unused.status) == (account, FindingStatus.FAIL)
    assert unused.reason == (
        f"Account {account} has no IAM_USER_UNUSED_CREDENTIALS_CHECK Config rule in "
        "us-east-1, eu-west-1."
    )


def test_conformance_pack_rules_count_and_rules_being_deleted_do_not(factory, view, account):
    """Stubbed with botocore's Stubber: moto cannot deploy conformance packs (PutConformancePack
    and DescribeConformancePacks fail), nor mark a rule as being deleted."""

    response = {
        "ConfigRules": [
            stubbed_rule(
                account,
                "iam-user-unused-credentials-check-conformance-pack-abc",
                "IAM_USER_UNUSED_CREDENTIALS_CHECK",
                ConfigRuleState="ACTIVE",
                CreatedBy="config-conforms.amazonaws.com",
            ),
            stubbed_rule(
                account, "access-keys-rotated", "ACCESS_KEYS_ROTATED", ConfigRuleState="DELETING"
            ),
        ]
    }
    with Stubber(factory.client("config", "us-east-1", account)) as stubber:
        stubber.add_response("describe_config_rules", response, {})
        [deployed] = rules_deployed(view("us-east-1"))
        [unused] = iam_unused_credentials_rule_deployed(view(GLOBAL))
        [rotated] = access_keys_rotated_rule_deployed(view(GLOBAL))

    assert deployed.reason == (
        f"Account {account} has 1 AWS Config rules in us-east-1, 1 of them from conformance packs."
    )
    assert unused.status is FindingStatus.PASS
    assert (rotated.resource, rotated.status) == (account, FindingStatus.FAIL)
