"""EC2 checks. EC2 is regional: these run once per region of the run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.checks.base import AwsView, Check, Finding, FindingStatus

ADMIN_PORTS = {"tcp": (22, 3389), "udp": (3389,)}
"""Admin ports by protocol: SSH, and RDP, which also listens on UDP 3389 for its transport."""

PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}
"""IpProtocol values by the protocol they name: EC2 accepts names and numbers."""

WORLD = ("0.0.0.0/0", "::/0")
ALL_TRAFFIC = "-1"


def ebs_encryption_by_default(view: AwsView) -> bool:
    """Return whether new EBS volumes in the view's region are encrypted by default."""
    response = view.call("ec2", "GetEbsEncryptionByDefault")
    return bool(response.get("EbsEncryptionByDefault", False))


def ebs_default_encryption_enabled(view: AwsView) -> list[Finding]:
    """EBS encryption by default is on, so every new volume and snapshot copy is encrypted.

    ```yaml
    checks: [ec2_ebs_default_encryption_enabled]
    ```
    """
    account, region = view.account, view.region
    if ebs_encryption_by_default(view):
        reason = f"Account {account} encrypts new EBS volumes by default in {region}."
        return [Finding(account, FindingStatus.PASS, reason)]

    reason = f"Account {account} does not encrypt new EBS volumes by default in {region}."
    return [Finding(account, FindingStatus.FAIL, reason)]


@dataclass(frozen=True)
class Vpc:
    id: str
    default: bool


def vpcs(view: AwsView) -> list[Vpc]:
    """Return the VPCs of the view's region."""
    response = view.call("ec2", "DescribeVpcs")
    return [Vpc(v["VpcId"], bool(v.get("IsDefault", False))) for v in response.get("Vpcs", [])]


def network_interface_count(view: AwsView, vpc_id: str) -> int:
    """Return how many network interfaces (instances, endpoints, functions...) ``vpc_id`` holds."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
    response = view.call("ec2", "DescribeNetworkInterfaces", Filters=filters)
    return len(response.get("NetworkInterfaces", []))


def default_vpc_unused(view: AwsView) -> list[Finding]:
    """The region has no default VPC, or its default VPC holds no network interfaces.

    ```yaml
    checks: [ec2_default_vpc_unused]
    ```
    """
    findings = []
    for vpc in [v for v in vpcs(view) if v.default]:
        count = network_interface_count(view, vpc.id)
        if count:
            noun = "network interface" if count == 1 else "network interfaces"
            reason = f"Default VPC {vpc.id} is in use, with {count} {noun} attached."
            findings.append(Finding(vpc.id, FindingStatus.FAIL, reason))
        else:
            reason = f"Default VPC {vpc.id} is kept but holds no network interfaces."
            findings.append(Finding(vpc.id, FindingStatus.PASS, reason))
    return findings


def open_admin_ports(permission: dict[str, Any]) -> list[str]:
    """Return "source to port" for each admin port an inbound rule opens to the whole internet."""
    protocol = str(permission.get("IpProtocol", ""))
    sources = [r.get("CidrIp") for r in permission.get("IpRanges", [])]
    sources += [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", [])]
    world = [source for source in WORLD if source in sources]
    if protocol == ALL_TRAFFIC:
        return [f"{source} to all ports" for source in world]
    if protocol not in PROTOCOLS:
        return []

    name = PROTOCOLS[protocol]
    low, high = permission.get("FromPort", 0), permission.get("ToPort", 65535)
    ports = [port for port in ADMIN_PORTS[name] if low <= port <= high]
    return [f"{source} to {name.upper()} port {port}" for source in world for port in ports]


def security_group_admin_ports_restricted(view: AwsView) -> list[Finding]:
    """No security group lets 0.0.0.0/0 or ::/0 reach SSH (TCP 22) or RDP (TCP and UDP 3389).

    Rules opening a port range that includes an admin port, and all-traffic rules, count too.

    ```yaml
    checks: [ec2_security_group_admin_ports_restricted]
    ```
    """
    findings = []
    for group in view.call("ec2", "DescribeSecurityGroups").get("SecurityGroups", []):
        name = f"{group['GroupId']} ({group.get('GroupName', '')})"
        opened = [o for p in group.get("IpPermissions", []) for o in open_admin_ports(p)]
        if opened:
            reason = f"Security group {name} lets in {', '.join(opened)}."
            findings.append(Finding(group["GroupId"], FindingStatus.FAIL, reason))
        else:
            reason = f"Security group {name} opens no admin port to the whole internet."
            findings.append(Finding(group["GroupId"], FindingStatus.PASS, reason))
    return findings


def vpcs_with_flow_logs(view: AwsView) -> set[str]:
    """Return the ids of resources (VPCs among them) that have an active flow log."""
    response = view.call("ec2", "DescribeFlowLogs")
    return {
        log["ResourceId"]
        for log in response.get("FlowLogs", [])
        if log.get("FlowLogStatus") == "ACTIVE"
    }


def vpc_flow_logs_enabled(view: AwsView) -> list[Finding]:
    """Every VPC has an active flow log.

    ```yaml
    checks: [ec2_vpc_flow_logs_enabled]
    ```
    """
    logged = vpcs_with_flow_logs(view)
    findings = []
    for vpc in vpcs(view):
        if vpc.id in logged:
            reason = f"VPC {vpc.id} has an active flow log."
            findings.append(Finding(vpc.id, FindingStatus.PASS, reason))
        else:
            reason = f"VPC {vpc.id} has no active flow log."
            findings.append(Finding(vpc.id, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="ec2_ebs_default_encryption_enabled",
        title="EBS volumes are encrypted by default",
        rule="EBS encryption by default is enabled in every region of the account.",
        service="ec2",
        scope="regional",
        permissions=("ec2:GetEbsEncryptionByDefault",),
        evaluate=ebs_default_encryption_enabled,
    ),
    Check(
        id="ec2_default_vpc_unused",
        title="Default VPCs are deleted or unused",
        rule=(
            "No region has a default VPC, or the default VPC it keeps holds no network interfaces."
        ),
        service="ec2",
        scope="regional",
        permissions=("ec2:DescribeVpcs", "ec2:DescribeNetworkInterfaces"),
        evaluate=default_vpc_unused,
        empty="The region has no default VPC.",
    ),
    Check(
        id="ec2_security_group_admin_ports_restricted",
        title="No security group opens SSH or RDP to the internet",
        rule=(
            "No security group rule lets 0.0.0.0/0 or ::/0 reach TCP port 22 or TCP or UDP port "
            "3389, whether by naming the port, by a port range that includes it, or by allowing "
            "all traffic."
        ),
        service="ec2",
        scope="regional",
        permissions=("ec2:DescribeSecurityGroups",),
        evaluate=security_group_admin_ports_restricted,
        empty="The region has no security groups.",
    ),
    Check(
        id="ec2_vpc_flow_logs_enabled",
        title="VPC Flow Logs are on for every VPC",
        rule="Every VPC has an active flow log.",
        service="ec2",
        scope="regional",
        permissions=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs"),
        evaluate=vpc_flow_logs_enabled,
        empty="The region has no VPCs.",
    ),
]
