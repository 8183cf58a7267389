"""S3 bucket checks. Buckets live in a region, so these run once per region of the run.

ListBuckets is filtered by the view's region (its BucketRegion parameter), so each bucket is
listed and judged once, in its own region, and no GetBucketLocation call is needed.
"""

from __future__ import annotations

import json
from typing import Any

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

SECURE_TRANSPORT = "aws:securetransport"
BOOL_OPERATORS = frozenset({"bool", "boolifexists"})


def bucket_names(view: AwsView) -> list[str]:
    """Return the names of the buckets that live in the view's region."""
    response = view.call("s3", "ListBuckets", BucketRegion=view.region)
    return [bucket["Name"] for bucket in response.get("Buckets", [])]


def bucket_policy(view: AwsView, bucket: str) -> dict[str, Any] | None:
    """Return ``bucket``'s policy document, or None when it has no policy."""
    try:
        response = view.call("s3", "GetBucketPolicy", Bucket=bucket)
    except ApiError as error:
        # S3 answers "no policy" with an error; it is a fact about the bucket.
        if error.code == "NoSuchBucketPolicy":
            return None
        raise

    document: dict[str, Any] = json.loads(response["Policy"])
    return document


def as_list(value: Any) -> list[Any]:
    """Return a policy element that may be one value or a list of them as a list."""
    return value if isinstance(value, list) else [value]


def denies_insecure_transport(statement: dict[str, Any], bucket: str) -> bool:
    """Whether ``statement`` denies everyone every S3 action on the bucket's objects over HTTP."""
    return (
        statement.get("Effect") == "Deny"
        and applies_to_everyone(statement)
        and bool({"*", "s3:*"} & set(as_list(statement.get("Action", []))))
        and covers_objects(statement, bucket)
        and only_without_tls(statement)
    )


def applies_to_everyone(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        return "*" in as_list(principal.get("AWS", []))
    return principal == "*"


def covers_objects(statement: dict[str, Any], bucket: str) -> bool:
    objects = {"*", f"{bucket}/*", f"{bucket}*"}
    # ARNs end in ":::bucket/key"; comparing what follows ":::" ignores the partition.
    return any(
        str(resource).rsplit(":::", 1)[-1] in objects
        for resource in as_list(statement.get("Resource", []))
    )


def only_without_tls(statement: dict[str, Any]) -> bool:
    # The deny must hang on aws:SecureTransport alone: any further condition key (a principal
    # account, a source address) narrows it, and plain-HTTP requests outside it get through.
    keys = [
        (operator.lower(), key.lower(), [str(v).lower() for v in as_list(value)])
        for operator, conditions in statement.get("Condition", {}).items()
        for key, value in conditions.items()
    ]
    return (
        len(keys) == 1
        and keys[0][0] in BOOL_OPERATORS
        and keys[0][1] == SECURE_TRANSPORT
        and "false" in keys[0][2]
    )


def bucket_secure_transport_required(view: AwsView) -> list[Finding]:
    """Every bucket's policy denies any request made without TLS (aws:SecureTransport false).

    ```yaml
    checks: [s3_bucket_secure_transport_required]
    ```
    """
    buckets = bucket_names(view)
    view.prefetch("s3", "GetBucketPolicy", [{"Bucket": bucket} for bucket in buckets])

    findings = []
    for bucket in buckets:
        policy = bucket_policy(view, bucket)
        if policy is None:
            reason = f"Bucket {bucket} has no bucket policy, so it accepts requests over HTTP."
            findings.append(Finding(bucket, FindingStatus.FAIL, reason))
            continue

        statements = as_list(policy.get("Statement", []))
        if any(denies_insecure_transport(s, bucket) for s in statements):
            reason = f"Bucket {bucket}'s policy denies requests made without TLS."
            findings.append(Finding(bucket, FindingStatus.PASS, reason))
        else:
            reason = f"Bucket {bucket}'s policy does not deny requests made without TLS."
            findings.append(Finding(bucket, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="s3_bucket_secure_transport_required",
        title="S3 buckets refuse requests made without TLS",
        rule=(
            "Every bucket's policy has a statement denying all principals s3:* on its objects "
            "when aws:SecureTransport is false, with no other condition narrowing it."
        ),
        service="s3",
        scope="regional",
        permissions=("s3:ListAllMyBuckets", "s3:GetBucketPolicy"),
        evaluate=bucket_secure_transport_required,
        empty="The region has no S3 buckets.",
    ),
]
