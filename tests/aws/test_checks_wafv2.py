"""The AWS WAF checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.wafv2 import alb_web_acl_associated

VISIBILITY = {
    "SampledRequestsEnabled": False,
    "CloudWatchMetricsEnabled": False,
    "MetricName": "edge",
}


def test_internet_facing_albs_without_a_web_acl_fail_and_others_are_not_judged(seed, view):
    ec2, elbv2, wafv2 = seed("ec2"), seed("elbv2"), seed("wafv2")
    vpc = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.4.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate(["us-east-1a", "us-east-1b"])
    ]

    def balancer(name, kind="application", scheme="internet-facing"):
        made = elbv2.create_load_balancer(Name=name, Subnets=subnets, Type=kind, Scheme=scheme)
        return made["LoadBalancers"][0]["LoadBalancerArn"]

    guarded, exposed = balancer("shop"), balancer("legacy-shop")
    balancer("admin", scheme="internal")
    balancer("ingest", kind="network")
    acl = wafv2.create_web_acl(
        Name="edge", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=VISIBILITY
    )["Summary"]["ARN"]
    wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=guarded)

    findings = alb_web_acl_associated(view("us-east-1"))

    assert {f.resource: f.status for f in findings} == {
        guarded: FindingStatus.PASS,
        exposed: FindingStatus.FAIL,
    }
