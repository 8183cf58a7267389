"""The demo company's infrastructure: network, encryption, data protection and resilience.

Mostly in order, with the gaps a real audit would find: a legacy export key that never
rotates; the default VPC deleted in the home region but still in use in the second one; a
legacy bastion open on SSH to the internet; a staging VPC without flow logs; the old
storefront load balancer on a TLS 1.0 policy without WAF; a marketing CloudFront distribution
on the default certificate without WAF; a marketing bucket that accepts plain HTTP; a payment
provider API key that never rotates; EBS default encryption and cross-region backup copies in
the home region only; and a Resilience Hub application that was never assessed (moto cannot
run assessments).

The first region is home; the others (usually one) get the second region's share.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Client = Callable[[str, str], Any]

CIDRS = {"prod": "10.20.0.0/16", "staging": "10.30.0.0/16"}
FLOW_LOG_BUCKET = "example-vpc-flow-logs"
OLD_TLS_POLICY = "ELBSecurityPolicy-2016-08"
MODERN_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
CERTIFICATE_DOMAIN = "shop.example.com"
VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}


def seed(client: Client, regions: list[str]) -> None:
    """Put the demo company's keys, networks, endpoints, buckets, secrets and backups in place."""
    home, away = regions[0], regions[1:]
    account = client("sts", home).get_caller_identity()["Account"]

    _seed_account_settings(client, home, account)
    _seed_keys(client, home, away)
    _seed_buckets(client, home, away, account)

    prod = _seed_home_network(client("ec2", home))
    for region in away:
        _seed_away_network(client("ec2", region))
    _seed_load_balancers(client, home, prod)
    _seed_distributions(client, home)

    _seed_secrets(client, home, away)
    _seed_backups(client, home, away)
    client("resiliencehub", home).create_app(name="storefront", description="Online shop")


def _seed_account_settings(client: Client, home: str, account: str) -> None:
    client("s3control", home).put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    client("ec2", home).enable_ebs_encryption_by_default()


def _seed_keys(client: Client, home: str, away: list[str]) -> None:
    kms = client("kms", home)
    _key(kms, "customer-data", rotates=True)
    _key(kms, "legacy-export", rotates=False)
    # Signing keys cannot rotate automatically, so the rotation check passes over this one.
    kms.create_key(Description="release-signing", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    for region in away:
        _key(client("kms", region), "customer-data", rotates=True)


def _key(kms: Any, name: str, rotates: bool) -> None:
    key_id = kms.create_key(Description=name)["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=key_id)
    if rotates:
        kms.enable_key_rotation(KeyId=key_id)


def _seed_buckets(client: Client, home: str, away: list[str], account: str) -> None:
    role = f"arn:aws:iam::{account}:role/application"
    s3 = client("s3", home)
    _bucket(s3, "example-customer-uploads", home, role, https_only=True)
    _bucket(s3, FLOW_LOG_BUCKET, home, role, https_only=True)
    for region in away:
        name = f"example-marketing-assets-{region}"
        _bucket(client("s3", region), name, region, role, https_only=False)


def _bucket(s3: Any, name: str, region: str, role: str, https_only: bool) -> None:
    # us-east-1 is the one region S3 refuses to be named as a location constraint.
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})

    statements: list[dict[str, Any]] = [
        {
            "Sid": "AllowApplicationRole",
            "Effect": "Allow",
            "Principal": {"AWS": role},
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"arn:aws:s3:::{name}/*",
        }
    ]
    if https_only:
        statements.append(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    policy = {"Version": "2012-10-17", "Statement": statements}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))


def _seed_home_network(ec2: Any) -> str:
    """Delete the default VPC and build the logged prod VPC; return the prod VPC's id."""
    _delete_vpc(ec2, _default_vpc(ec2))

    prod = _vpc(ec2, "prod")
    ec2.create_flow_logs(
        ResourceIds=[prod],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{FLOW_LOG_BUCKET}",
    )

    _security_group(ec2, prod, "storefront-alb", 443, "0.0.0.0/0")
    _security_group(ec2, prod, "office-ssh", 22, "203.0.113.0/24")
    _security_group(ec2, prod, "legacy-bastion", 22, "0.0.0.0/0")
    return prod


def _seed_away_network(ec2: Any) -> None:
    """Leave the default VPC in use, and add a staging VPC nobody logs."""
    default = _default_vpc(ec2)
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default]}])["Subnets"][0]
    ec2.create_network_interface(SubnetId=subnet["SubnetId"], Description="forgotten test box")
    _vpc(ec2, "staging")


def _default_vpc(ec2: Any) -> str:
    vpc_id: str = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"])
    return vpc_id


def _delete_vpc(ec2: Any, vpc_id: str) -> None:
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    for subnet in ec2.describe_subnets(Filters=in_vpc)["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])

    attached = [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    for gateway in ec2.describe_internet_gateways(Filters=attached)["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)


def _vpc(ec2: Any, name: str) -> str:
    tags = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]
    vpc_id: str = ec2.create_vpc(CidrBlock=CIDRS[name], TagSpecifications=tags)["Vpc"]["VpcId"]
    return vpc_id


def _security_group(ec2: Any, vpc_id: str, name: str, port: int, source: str) -> None:
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": source}],
            }
        ],
    )


def _seed_load_balancers(client: Client, home: str, vpc_id: str) -> None:
    """An old storefront ALB on a TLS 1.0 policy without WAF; the new one on TLS 1.3 behind WAF."""
    ec2, elbv2 = client("ec2", home), client("elbv2", home)
    prefix = CIDRS["prod"].rsplit(".", 2)[0]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{prefix}.{i}.0/24", AvailabilityZone=zone)
        for i, zone in enumerate([f"{home}a", f"{home}b"])
    ]
    certificate = client("acm", home).request_certificate(DomainName=CERTIFICATE_DOMAIN)
    group = elbv2.create_target_group(Name="storefront", Protocol="HTTP", Port=80, VpcId=vpc_id)
    listener = {
        "Protocol": "HTTPS",
        "Port": 443,
        "Certificates": [{"CertificateArn": certificate["CertificateArn"]}],
        "DefaultActions": [
            {"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}
        ],
    }

    subnet_ids = [subnet["Subnet"]["SubnetId"] for subnet in subnets]
    _https_load_balancer(elbv2, "storefront-legacy", subnet_ids, OLD_TLS_POLICY, listener)
    storefront = _https_load_balancer(elbv2, "storefront", subnet_ids, MODERN_TLS_POLICY, listener)

    wafv2 = client("wafv2", home)
    acl = wafv2.create_web_acl(
        Name="storefront",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig=VISIBILITY | {"MetricName": "storefront"},
    )
    wafv2.associate_web_acl(WebACLArn=acl["Summary"]["ARN"], ResourceArn=storefront)


def _https_load_balancer(
    elbv2: Any, name: str, subnets: list[str], policy: str, listener: dict[str, Any]
) -> str:
    made = elbv2.create_load_balancer(
        Name=name, Subnets=subnets, Scheme="internet-facing", Type="application"
    )
    arn: str = made["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_listener(LoadBalancerArn=arn, SslPolicy=policy, **listener)
    return arn


def _seed_distributions(client: Client, home: str) -> None:
    """The shop's CDN on a custom certificate behind WAF; marketing's on the default one."""
    acl = client("wafv2", home).create_web_acl(
        Name="cdn",
        Scope="CLOUDFRONT",
        DefaultAction={"Allow": {}},
        VisibilityConfig=VISIBILITY | {"MetricName": "cdn"},
    )["Summary"]["ARN"]
    certificate = client("acm", home).request_certificate(DomainName=f"cdn.{CERTIFICATE_DOMAIN}")

    cloudfront = client("cloudfront", home)
    _distribution(
        cloudfront,
        "storefront-assets",
        WebACLId=acl,
        ViewerCertificate={
            "CloudFrontDefaultCertificate": False,
            "ACMCertificateArn": certificate["CertificateArn"],
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        },
    )
    _distribution(cloudfront, "marketing-site")


def _distribution(cloudfront: Any, name: str, **settings: Any) -> None:
    config = {
        "CallerReference": name,
        "Comment": name,
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": name,
                    "DomainName": f"{name}.origin.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": name,
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }
    cloudfront.create_distribution(DistributionConfig=config | settings)


def _seed_secrets(client: Client, home: str, away: list[str]) -> None:
    secrets = client("secretsmanager", home)
    _secret(secrets, "prod/storefront/db-password", rotates=True)
    _secret(secrets, "prod/payments/provider-api-key", rotates=False)
    for region in away:
        _secret(client("secretsmanager", region), "prod/analytics/db-password", rotates=True)


def _secret(secrets: Any, name: str, rotates: bool) -> None:
    arn = secrets.create_secret(Name=name, SecretString="demo-only")["ARN"]
    if rotates:
        # A real rotation needs a rotation function; moto turns rotation on from the rules.
        secrets.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30})


def _seed_backups(client: Client, home: str, away: list[str]) -> None:
    """Home backups copy to the first other region; that region's own backups stay put."""
    vaults = {region: _vault(client("backup", region)) for region in [home, *away]}
    copy_to = vaults[away[0]] if away else None
    _backup_plan(client("backup", home), "critical-data-daily", copy_to)
    for region in away:
        _backup_plan(client("backup", region), "analytics-daily", None)


def _vault(backup: Any) -> str:
    arn: str = backup.create_backup_vault(BackupVaultName="primary")["BackupVaultArn"]
    return arn


def _backup_plan(backup: Any, name: str, copy_to: str | None) -> None:
    rule: dict[str, Any] = {
        "RuleName": "daily",
        "TargetBackupVaultName": "primary",
        "ScheduleExpression": "cron(0 5 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": 35},
    }
    if copy_to:
        rule["CopyActions"] = [
            {"DestinationBackupVaultArn": copy_to, "Lifecycle": {"DeleteAfterDays": 35}}
        ]
    backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": [rule]})
