"""The Elastic Load Balancing (v2) checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.elbv2 import listener_tls12_policy

OLD_POLICY = "ELBSecurityPolicy-2016-08"
MODERN_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def balancer_maker(seed):
    """Return make(name, kind, protocol): a load balancer with a target group and one listener."""
    ec2, elbv2 = seed("ec2"), seed("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.3.{i}.0/24", AvailabilityZone=zone)
        for i, zone in enumerate(["us-east-1a", "us-east-1b"])
    ]
    subnet_ids = [subnet["Subnet"]["SubnetId"] for subnet in subnets]
    certificate = seed("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]

    def make(name, kind, protocol, policy=None):
        made = elbv2.create_load_balancer(Name=name, Subnets=subnet_ids, Type=kind)
        target = "HTTP" if kind == "application" else "TCP"
        group = elbv2.create_target_group(Name=name, Protocol=target, Port=80, VpcId=vpc)
        encryption = {"SslPolicy": policy, "Certificates": [{"CertificateArn": certificate}]}
        listener = elbv2.create_listener(
            LoadBalancerArn=made["LoadBalancers"][0]["LoadBalancerArn"],
            Protocol=protocol,
            Port=443,
            DefaultActions=[
                {"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}
            ],
            **(encryption if policy else {}),
        )
        return listener["Listeners"][0]["ListenerArn"]

    return make


def test_listeners_allowing_tls_below_1_2_fail_and_plain_http_is_not_judged(seed, view):
    make = balancer_maker(seed)
    old = make("shop", "application", "HTTPS", OLD_POLICY)
    modern = make("api", "network", "TLS", MODERN_POLICY)
    make("intranet", "application", "HTTP")

    findings = listener_tls12_policy(view("us-east-1"))

    assert {f.resource: f.status for f in findings} == {
        old: FindingStatus.FAIL,
        modern: FindingStatus.PASS,
    }
    [failing] = [f for f in findings if f.status is FindingStatus.FAIL]
    assert failing.reason.endswith(f"uses {OLD_POLICY}, which allows TLSv1, TLSv1.1.")
