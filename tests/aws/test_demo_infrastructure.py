"""The demo company's infrastructure, judged by the network, encryption and resilience checks.

Artifact and Audit Manager checks are left out: moto has neither service, so the demo cannot
seed them.
"""

from __future__ import annotations

import pytest

from generator.aws.clients import strip_host_prefix
from generator.aws.engine import ResultStatus, collect
from generator.checks import (
    backup,
    cloudfront,
    ec2,
    elbv2,
    kms,
    resiliencehub,
    s3,
    s3control,
    secretsmanager,
    wafv2,
)
from generator.checks.base import GLOBAL, FindingStatus
from generator.demo import infrastructure

HOME, AWAY = REGIONS = ["us-east-1", "eu-west-1"]
CHECKS = (
    backup.CHECKS
    + cloudfront.CHECKS
    + ec2.CHECKS
    + elbv2.CHECKS
    + kms.CHECKS
    + resiliencehub.CHECKS
    + s3.CHECKS
    + s3control.CHECKS
    + secretsmanager.CHECKS
    + wafv2.CHECKS
)


@pytest.fixture(name="outcomes")
def fixture_outcomes(aws, seed, factory):
    """Seed the demo infrastructure; return {(check, region): (status, failing resources)}."""

    def client(service, region):
        made = seed(service, region)
        made.meta.events.register("before-sign.s3-control.*", strip_host_prefix(aws))
        return made

    infrastructure.seed(client, REGIONS)
    collection = collect(CHECKS, {}, factory, regions=REGIONS, workers=4)

    def failing(result):
        return sorted(f.resource for f in result.findings if f.status is FindingStatus.FAIL)

    return {(r.check, r.region): (r.status, failing(r)) for r in collection.results}


def named(seed):
    """Return the ids and ARNs of the demo's failing resources by a readable name."""
    elbv2 = seed("elbv2", HOME)
    balancers = elbv2.describe_load_balancers()["LoadBalancers"]
    albs = {b["LoadBalancerName"]: b["LoadBalancerArn"] for b in balancers}
    [listener] = elbv2.describe_listeners(LoadBalancerArn=albs["storefront-legacy"])["Listeners"]
    groups = seed("ec2", HOME).describe_security_groups()["SecurityGroups"]
    away_vpcs = seed("ec2", AWAY).describe_vpcs()["Vpcs"]
    listed = seed("cloudfront", HOME).list_distributions()["DistributionList"]["Items"]
    distributions = {d["Comment"]: d["ARN"] for d in listed}
    key = seed("kms", HOME).describe_key(KeyId="alias/legacy-export")["KeyMetadata"]
    secret = seed("secretsmanager", HOME).describe_secret(SecretId="prod/payments/provider-api-key")
    [plan] = seed("backup", AWAY).list_backup_plans()["BackupPlansList"]
    [app] = seed("resiliencehub", HOME).list_apps()["appSummaries"]
    return {
        "legacy key": key["Arn"],
        "legacy bastion": next(g["GroupId"] for g in groups if g["GroupName"] == "legacy-bastion"),
        "away vpcs": sorted(v["VpcId"] for v in away_vpcs),
        "away default vpc": next(v["VpcId"] for v in away_vpcs if v["IsDefault"]),
        "legacy alb": albs["storefront-legacy"],
        "legacy listener": listener["ListenerArn"],
        "marketing site": distributions["marketing-site"],
        "api key": secret["ARN"],
        "away plan": plan["BackupPlanArn"],
        "storefront app": app["appArn"],
    }


def test_the_demo_infrastructure_passes_and_fails_as_described(outcomes, seed, account):
    ids = named(seed)
    passed = (ResultStatus.PASS, [])

    def failed(*resources):
        return (ResultStatus.FAIL, sorted(resources))

    assert outcomes == {
        ("backup_plan_cross_region_copy", HOME): passed,
        ("backup_plan_cross_region_copy", AWAY): failed(ids["away plan"]),
        ("cloudfront_distribution_tls12_minimum", GLOBAL): failed(ids["marketing site"]),
        ("cloudfront_distribution_waf_enabled", GLOBAL): failed(ids["marketing site"]),
        ("ec2_default_vpc_unused", HOME): passed,
        ("ec2_default_vpc_unused", AWAY): failed(ids["away default vpc"]),
        ("ec2_ebs_default_encryption_enabled", HOME): passed,
        ("ec2_ebs_default_encryption_enabled", AWAY): failed(account),
        ("ec2_security_group_admin_ports_restricted", HOME): failed(ids["legacy bastion"]),
        ("ec2_security_group_admin_ports_restricted", AWAY): passed,
        ("ec2_vpc_flow_logs_enabled", HOME): passed,
        ("ec2_vpc_flow_logs_enabled", AWAY): failed(*ids["away vpcs"]),
        ("elbv2_listener_tls12_policy", HOME): failed(ids["legacy listener"]),
        ("elbv2_listener_tls12_policy", AWAY): passed,
        ("kms_cmk_rotation_enabled", HOME): failed(ids["legacy key"]),
        ("kms_cmk_rotation_enabled", AWAY): passed,
        ("resiliencehub_app_assessed", HOME): failed(ids["storefront app"]),
        ("resiliencehub_app_assessed", AWAY): failed(account),
        ("s3_bucket_secure_transport_required", HOME): passed,
        ("s3_bucket_secure_transport_required", AWAY): failed("example-marketing-assets-eu-west-1"),
        ("s3control_account_public_access_blocked", GLOBAL): passed,
        ("secretsmanager_secret_rotation_enabled", HOME): failed(ids["api key"]),
        ("secretsmanager_secret_rotation_enabled", AWAY): passed,
        ("wafv2_alb_web_acl_associated", HOME): failed(ids["legacy alb"]),
        ("wafv2_alb_web_acl_associated", AWAY): passed,
    }
