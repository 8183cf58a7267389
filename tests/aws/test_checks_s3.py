"""The S3 bucket checks against a moto server."""

from __future__ import annotations

import json

from generator.checks.base import FindingStatus
from generator.checks.s3 import bucket_secure_transport_required


def deny_http(bucket):
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def allow_reader(bucket):
    return {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }


def put_bucket(s3, name, statements, region=None):
    location = {"CreateBucketConfiguration": {"LocationConstraint": region}} if region else {}
    s3.create_bucket(Bucket=name, **location)
    if statements:
        policy = {"Version": "2012-10-17", "Statement": statements}
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))


def test_buckets_fail_without_a_secure_transport_deny_in_their_own_region_only(seed, view):
    s3 = seed("s3")
    put_bucket(s3, "acme-uploads", [allow_reader("acme-uploads"), deny_http("acme-uploads")])
    put_bucket(s3, "acme-reports", [allow_reader("acme-reports")])
    put_bucket(s3, "acme-scratch", [])
    objects_left_out = deny_http("acme-logs") | {"Resource": "arn:aws:s3:::acme-logs"}
    put_bucket(s3, "acme-logs", [objects_left_out])
    narrowed = deny_http("acme-shared")
    narrowed["Condition"] = narrowed["Condition"] | {
        "StringEquals": {"aws:PrincipalAccount": "210987654321"}
    }
    put_bucket(s3, "acme-shared", [narrowed])
    put_bucket(s3, "acme-eu-archive", [], region="eu-west-1")

    findings = bucket_secure_transport_required(view("us-east-1"))

    assert {f.resource: f.status for f in findings} == {
        "acme-uploads": FindingStatus.PASS,
        "acme-reports": FindingStatus.FAIL,
        "acme-scratch": FindingStatus.FAIL,
        "acme-logs": FindingStatus.FAIL,
        "acme-shared": FindingStatus.FAIL,
    }
    reasons = {f.resource: f.reason for f in findings}
    assert reasons["acme-scratch"].startswith("Bucket acme-scratch has no bucket policy")
    [eu] = bucket_secure_transport_required(view("eu-west-1"))
    assert (eu.resource, eu.status) == ("acme-eu-archive", FindingStatus.FAIL)
