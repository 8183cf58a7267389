"""Seed a mid-size account on the benchmark's moto server: the demo company, then bulk.

The demo modules (``generator/demo/{identity,monitoring,infrastructure}.py``) put one of each
kind of resource the checks judge in place; the bulk part adds what a grown account holds:
hundreds of security groups across several VPCs, dozens of IAM users with access keys and
console passwords, buckets with policies, KMS keys, secrets, and GuardDuty detectors and
Config recorders in every region. Everything is deterministic.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from generator.demo import client_maker, identity, infrastructure, monitoring

logger = logging.getLogger(__name__)

Client = Callable[[str, str], Any]

ACCOUNT = "123456789012"
OPEN_PORTS = (22, 3389)


@dataclass(frozen=True)
class Scale:
    """How much bulk each seeded region (or, for IAM, the account) gets."""

    security_groups: int
    """Security groups per region, spread over the region's VPCs."""

    vpcs: int
    """VPCs per region besides the demo's."""

    buckets: int
    """Buckets per region, each with a policy."""

    keys: int
    secrets: int
    users: int
    """IAM users in the account, each with an access key; every third has a console password."""


MID_SIZE = Scale(security_groups=150, vpcs=3, buckets=20, keys=6, secrets=6, users=50)
"""Two regions of this come to 300 security groups, 40 buckets and 50 users."""

PER_REGION = Scale(security_groups=20, vpcs=1, buckets=3, keys=2, secrets=2, users=50)
"""A lighter spread for the 17-region benchmark."""


def seeding_client(endpoint: str) -> Client:
    """Return ``client(service, region)`` on the moto server, with the benchmark's own keys."""
    session = boto3.Session(aws_access_key_id="benchmark", aws_secret_access_key="benchmark")
    return client_maker(endpoint, session, attempts=3)


def seed(endpoint: str, regions: list[str], scale: Scale) -> None:
    """Seed the demo company in ``regions`` (the first is home), then the bulk."""
    client = seeding_client(endpoint)
    for module in (identity, infrastructure, monitoring):
        module.seed(client, regions)

    _seed_users(client("iam", regions[0]), scale.users)
    for index, region in enumerate(regions):
        _seed_network(client("ec2", region), region, scale)
        _seed_buckets(client("s3", region), region, scale.buckets)
        _seed_keys(client("kms", region), scale.keys)
        _seed_secrets(client("secretsmanager", region), region, scale.secrets)
        if index > 0:
            _seed_detection(client, region)
    logger.info("seeded regions=%s scale=%s", ",".join(regions), scale)


def _seed_users(iam: Any, count: int) -> None:
    iam.create_group(GroupName="engineering")
    for number in range(count):
        name = f"bench-user-{number:03d}"
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="engineering", UserName=name)
        iam.create_access_key(UserName=name)
        if number % 3 == 0:
            iam.create_login_profile(UserName=name, Password=f"Bench-Passw0rd-{number:03d}!")
        if number % 10 == 0:
            iam.attach_user_policy(
                UserName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
            )


def _seed_network(ec2: Any, region: str, scale: Scale) -> None:
    vpcs = [
        ec2.create_vpc(CidrBlock=f"10.{100 + number}.0.0/16")["Vpc"]["VpcId"]
        for number in range(scale.vpcs)
    ]
    for number in range(scale.security_groups):
        vpc = vpcs[number % len(vpcs)]
        name = f"bench-{region}-sg-{number:03d}"
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)
        # One group in 25 is open to the internet on an admin port; the rest are internal.
        port = OPEN_PORTS[number % 2] if number % 25 == 0 else 8000 + number % 50
        source = "0.0.0.0/0" if number % 25 == 0 else "10.0.0.0/8"
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"],
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "IpRanges": [{"CidrIp": source}],
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": source}],
                },
            ],
        )


def _seed_buckets(s3: Any, region: str, count: int) -> None:
    for number in range(count):
        name = f"bench-{region}-data-{number:03d}"
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        statements: list[dict[str, Any]] = [
            {
                "Sid": "AllowApplication",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/application"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ]
        if number % 2 == 0:
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


def _seed_keys(kms: Any, count: int) -> None:
    for number in range(count):
        key = kms.create_key(Description=f"bench-key-{number}")["KeyMetadata"]["KeyId"]
        if number % 2 == 0:
            kms.enable_key_rotation(KeyId=key)


def _seed_secrets(secrets: Any, region: str, count: int) -> None:
    for number in range(count):
        arn = secrets.create_secret(Name=f"bench/{region}/secret-{number}", SecretString="x")["ARN"]
        if number % 2 == 0:
            secrets.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 30})


def _seed_detection(client: Client, region: str) -> None:
    """A GuardDuty detector and a recording Config recorder beyond the demo's home region."""
    client("guardduty", region).create_detector(Enable=True)
    config = client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-config-recorder",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": monitoring.CONFIG_BUCKET}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
