"""The EC2 checks against a moto server."""

from __future__ import annotations

from generator.checks.base import FindingStatus
from generator.checks.ec2 import (
    default_vpc_unused,
    ebs_default_encryption_enabled,
    security_group_admin_ports_restricted,
    vpc_flow_logs_enabled,
)


def test_ebs_default_encryption_passes_where_enabled(seed, view, account):
    seed("ec2", "eu-west-1").enable_ebs_encryption_by_default()

    [finding] = ebs_default_encryption_enabled(view("eu-west-1"))

    assert (finding.resource, finding.status) == (account, FindingStatus.PASS)


def test_ebs_default_encryption_fails_in_a_region_left_off(seed, view, account):
    seed("ec2", "eu-west-1").enable_ebs_encryption_by_default()

    [finding] = ebs_default_encryption_enabled(view("us-east-1"))

    assert (finding.resource, finding.status) == (account, FindingStatus.FAIL)
    assert "us-east-1" in finding.reason


def default_vpc(ec2):
    return next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"])


def delete_vpc(ec2, vpc_id):
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    attached = [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    for gateway in ec2.describe_internet_gateways(Filters=attached)["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)


def test_default_vpc_fails_when_used_passes_when_empty_and_absent_is_a_pass(seed, view):
    used = seed("ec2", "eu-west-1")
    used_vpc = default_vpc(used)
    subnet = used.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [used_vpc]}])
    used.create_network_interface(SubnetId=subnet["Subnets"][0]["SubnetId"])
    empty_vpc = default_vpc(seed("ec2", "us-west-2"))
    deleted = seed("ec2", "us-east-1")
    delete_vpc(deleted, default_vpc(deleted))

    [in_use] = default_vpc_unused(view("eu-west-1"))
    [kept_empty] = default_vpc_unused(view("us-west-2"))

    assert (in_use.resource, in_use.status) == (used_vpc, FindingStatus.FAIL)
    assert (kept_empty.resource, kept_empty.status) == (empty_vpc, FindingStatus.PASS)
    assert default_vpc_unused(view("us-east-1")) == []


def rule(protocol, low, high, ipv4=None, ipv6=None):
    return {
        "IpProtocol": protocol,
        "FromPort": low,
        "ToPort": high,
        "IpRanges": [{"CidrIp": ipv4}] if ipv4 else [],
        "Ipv6Ranges": [{"CidrIpv6": ipv6}] if ipv6 else [],
    }


def tcp(low, high, ipv4=None, ipv6=None):
    return rule("tcp", low, high, ipv4, ipv6)


def udp(low, high, ipv4=None, ipv6=None):
    return rule("udp", low, high, ipv4, ipv6)


def test_security_groups_open_to_the_world_on_admin_ports_fail(seed, view):
    ec2 = seed("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    rules = {
        "legacy-bastion": [tcp(22, 22, ipv4="0.0.0.0/0")],
        "rdp-range": [tcp(3000, 4000, ipv6="::/0")],
        "rdp-udp": [udp(3389, 3389, ipv4="0.0.0.0/0")],
        "udp-range": [udp(3000, 4000, ipv6="::/0")],
        "rdp-by-number": [rule("17", 3389, 3389, ipv4="0.0.0.0/0")],
        "anything-goes": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        "web": [tcp(443, 443, ipv4="0.0.0.0/0"), tcp(80, 80, ipv6="::/0")],
        "office-ssh": [tcp(22, 22, ipv4="203.0.113.0/24")],
        "udp-ssh-port": [udp(22, 22, ipv4="0.0.0.0/0")],
        "dns": [udp(53, 53, ipv4="0.0.0.0/0")],
    }
    ids = {}
    for name, permissions in rules.items():
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=permissions)
        ids[name] = group["GroupId"]

    findings = security_group_admin_ports_restricted(view("us-east-1"))

    failing = {f.resource for f in findings if f.status is FindingStatus.FAIL}
    opened = (
        "legacy-bastion",
        "rdp-range",
        "rdp-udp",
        "udp-range",
        "rdp-by-number",
        "anything-goes",
    )
    assert failing == {ids[name] for name in opened}
    closed = ("web", "office-ssh", "udp-ssh-port", "dns")
    assert {ids[name] for name in closed} <= {f.resource for f in findings}
    reasons = {f.resource: f.reason for f in findings}
    assert reasons[ids["rdp-range"]].endswith("lets in ::/0 to TCP port 3389.")
    assert reasons[ids["rdp-udp"]].endswith("lets in 0.0.0.0/0 to UDP port 3389.")


def test_vpcs_without_an_active_flow_log_fail(seed, view):
    seed("s3").create_bucket(Bucket="acme-flow-logs")
    ec2 = seed("ec2")
    logged = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    bare = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[logged],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::acme-flow-logs",
    )

    findings = vpc_flow_logs_enabled(view("us-east-1"))

    statuses = {f.resource: f.status for f in findings}
    assert statuses[logged] is FindingStatus.PASS
    assert {r for r, s in statuses.items() if s is FindingStatus.FAIL} == {bare, default_vpc(ec2)}
