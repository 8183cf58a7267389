"""CloudTrail checks: the audit trail itself, where it is stored, and which data events it keeps.

These checks are global: they judge the account's trails once, whichever region a trail lives
in. DescribeTrails in a region also lists the multi-region trails whose home is elsewhere
(shadow trails), so trails are gathered from every region of the run and kept once per ARN;
each trail's status and event selectors are then read in its own HomeRegion, where AWS answers
for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus

S3_OBJECTS = "AWS::S3::Object"
LAMBDA_FUNCTIONS = "AWS::Lambda::Function"
DATA_EVENT_KINDS = {S3_OBJECTS: "S3 object", LAMBDA_FUNCTIONS: "Lambda function"}
"""The data event resource types the rule asks for, with the words the reasons use for them."""

READ, WRITE = "read", "write"
READ_WRITE_TYPES = {"All": {READ, WRITE}, "ReadOnly": {READ}, "WriteOnly": {WRITE}}
"""What a classic event selector's ReadWriteType keeps of the management events."""

READ_ONLY_VALUES = {"true": READ, "false": WRITE}
"""What an advanced selector's readOnly field names: true for read events, false for writes."""

PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "everyone",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "every AWS account",
}
"""The ACL groups that make a bucket readable far beyond the account."""


@dataclass(frozen=True)
class Trail:
    arn: str
    home_region: str
    multi_region: bool
    log_file_validation: bool
    bucket: str | None
    log_group_arn: str | None
    """The CloudWatch Logs group the trail also delivers to, if any."""


def trails(view: AwsView) -> list[Trail]:
    """Return every trail visible from the run's regions, each once, in ARN order."""
    view.prefetch("cloudtrail", "DescribeTrails", regions=view.regions())
    found: dict[str, Trail] = {}
    for region in view.regions():
        response = view.in_region(region).call("cloudtrail", "DescribeTrails")
        for item in response.get("trailList", []):
            found.setdefault(
                item["TrailARN"],
                Trail(
                    arn=item["TrailARN"],
                    home_region=item.get("HomeRegion", region),
                    multi_region=bool(item.get("IsMultiRegionTrail", False)),
                    log_file_validation=bool(item.get("LogFileValidationEnabled", False)),
                    bucket=item.get("S3BucketName"),
                    log_group_arn=item.get("CloudWatchLogsLogGroupArn"),
                ),
            )
    return [found[arn] for arn in sorted(found)]


def prefetch_by_trail(view: AwsView, operation: str, name: str, listed: list[Trail]) -> None:
    """Fetch ``operation`` ahead for each of ``listed``, by ARN as parameter ``name``.

    Each trail is asked about in its home region, where the per-trail calls ask too.
    """
    for region in sorted({trail.home_region for trail in listed}):
        params = [{name: trail.arn} for trail in listed if trail.home_region == region]
        view.in_region(region).prefetch("cloudtrail", operation, params)


def is_logging(view: AwsView, trail: Trail) -> bool:
    """Return whether ``trail`` is recording events now."""
    # A shadow trail's status is only given by its home region, and only by ARN.
    response = view.in_region(trail.home_region).call(
        "cloudtrail", "GetTrailStatus", Name=trail.arn
    )
    return bool(response.get("IsLogging", False))


def event_selectors(view: AwsView, trail: Trail) -> dict[str, Any]:
    """Return the GetEventSelectors answer of ``trail``, asked by ARN in its home region.

    The same call for every check, so the multi-region and data-event checks share it.
    """
    return view.in_region(trail.home_region).call(
        "cloudtrail", "GetEventSelectors", TrailName=trail.arn
    )


def management_events(view: AwsView, trail: Trail) -> set[str]:
    """Return which management events ``trail`` records: READ, WRITE, both or neither.

    An answer without selectors records none: the check fails closed rather than assume
    AWS's default selector.
    """
    response = event_selectors(view, trail)
    kept: set[str] = set()
    for selector in response.get("EventSelectors") or []:
        if selector.get("IncludeManagementEvents", True):
            kept |= READ_WRITE_TYPES.get(selector.get("ReadWriteType", "All"), set())
    for selector in response.get("AdvancedEventSelectors") or []:
        kept |= advanced_management_events(selector)
    return kept


def advanced_management_events(selector: dict[str, Any]) -> set[str]:
    """Return which management events an advanced event selector keeps: READ, WRITE or both."""
    fields = {field.get("Field"): field for field in selector.get("FieldSelectors", [])}
    if "Management" not in fields.get("eventCategory", {}).get("Equals", []):
        return set()

    # Without a readOnly field the selector keeps reads and writes alike.
    read_only = fields.get("readOnly", {})
    kept = {READ, WRITE}
    if "Equals" in read_only:
        kept &= {READ_ONLY_VALUES[v] for v in read_only["Equals"] if v in READ_ONLY_VALUES}
    kept -= {READ_ONLY_VALUES[v] for v in read_only.get("NotEquals", []) if v in READ_ONLY_VALUES}
    return kept


def trail_gaps(view: AwsView, trail: Trail) -> list[str]:
    """Return how ``trail`` falls short of a sound audit trail, as verb phrases."""
    gaps = []
    if not is_logging(view, trail):
        gaps.append("is not logging")
    if not trail.log_file_validation:
        gaps.append("has log file validation off")

    missing = [kind for kind in (READ, WRITE) if kind not in management_events(view, trail)]
    if missing:
        gaps.append(f"does not record {' or '.join(missing)} management events")
    return gaps


def multi_region_trail_logging(view: AwsView) -> list[Finding]:
    """A multi-region trail is logging read and write management events, with validation on.

    Management events count from a classic event selector that includes them (ReadWriteType
    All, or one selector for reads and one for writes) or from an advanced selector on the
    Management category that does not narrow readOnly to one kind.

    One sound trail is enough: when there is one, the findings name the sound trails; when
    there is none, they name each multi-region trail and what it lacks.

    ```yaml
    checks: [cloudtrail_multi_region_trail_logging]
    ```
    """
    account = view.account
    multi_region = [trail for trail in trails(view) if trail.multi_region]
    prefetch_by_trail(view, "GetTrailStatus", "Name", multi_region)
    prefetch_by_trail(view, "GetEventSelectors", "TrailName", multi_region)
    judged = [(trail, trail_gaps(view, trail)) for trail in multi_region]
    if not judged:
        reason = f"Account {account} has no multi-region CloudTrail trail."
        return [Finding(account, FindingStatus.FAIL, reason)]

    sound = [trail for trail, gaps in judged if not gaps]
    if sound:
        reason = (
            "Trail {} is logging read and write management events in every region with log "
            "file validation on."
        )
        return [Finding(t.arn, FindingStatus.PASS, reason.format(t.arn)) for t in sound]
    return [
        Finding(t.arn, FindingStatus.FAIL, f"Multi-region trail {t.arn} {' and '.join(gaps)}.")
        for t, gaps in judged
    ]


def policy_is_public(view: AwsView, bucket: str) -> bool:
    """Return whether the bucket policy of ``bucket`` grants public access."""
    try:
        response = view.call("s3", "GetBucketPolicyStatus", Bucket=bucket)
    except ApiError as error:
        # A bucket without a policy grants nothing through one.
        if error.code == "NoSuchBucketPolicy":
            return False
        raise
    return bool(response.get("PolicyStatus", {}).get("IsPublic", False))


def public_acl_grants(view: AwsView, bucket: str) -> list[str]:
    """Return the grants of the ACL of ``bucket`` to everyone or every AWS account."""
    response = view.call("s3", "GetBucketAcl", Bucket=bucket)
    grants = []
    for grant in response.get("Grants", []):
        uri = grant.get("Grantee", {}).get("URI")
        if uri in PUBLIC_GRANTEES:
            grants.append(f"{grant.get('Permission', 'access')} to {PUBLIC_GRANTEES[uri]}")
    return grants


def ignores_public_acls(view: AwsView, bucket: str) -> bool:
    """Return whether the bucket's public access block makes S3 ignore public ACLs."""
    try:
        response = view.call("s3", "GetPublicAccessBlock", Bucket=bucket)
    except ApiError as error:
        # No block configured is a fact: nothing is blocked at the bucket.
        if error.code == "NoSuchPublicAccessBlockConfiguration":
            return False
        raise
    return bool(response.get("PublicAccessBlockConfiguration", {}).get("IgnorePublicAcls", False))


def bucket_exposure(view: AwsView, bucket: str) -> list[str]:
    """Return each way ``bucket`` is open beyond the account, as short phrases."""
    gaps = []
    if policy_is_public(view, bucket):
        gaps.append("its bucket policy is public")

    grants = public_acl_grants(view, bucket)
    if grants and not ignores_public_acls(view, bucket):
        gaps.append(f"its ACL grants {', '.join(grants)}")
    return gaps


def prefetch_exposure(view: AwsView, buckets: list[str]) -> None:
    """Fetch ahead what :func:`bucket_exposure` reads of each of ``buckets``."""
    params = [{"Bucket": bucket} for bucket in buckets]
    view.prefetch("s3", "GetBucketPolicyStatus", params)
    view.prefetch("s3", "GetBucketAcl", params)

    # The public access block is read only where the ACL grants something to the public.
    granted = [each for each in params if public_acl_grants(view, each["Bucket"])]
    view.prefetch("s3", "GetPublicAccessBlock", granted)


def trail_bucket_not_public(view: AwsView) -> list[Finding]:
    """Every bucket CloudTrail delivers to is neither public nor readable by every AWS account.

    A bucket fails when GetBucketPolicyStatus says its policy is public, or when its ACL grants
    anything to the AllUsers or AuthenticatedUsers groups and its public access block does not
    make S3 ignore public ACLs. A bucket in another account (a log archive) needs this role to
    be allowed to read its settings; otherwise the result is an error, never a pass.

    ```yaml
    checks: [cloudtrail_trail_bucket_not_public]
    ```
    """
    account = view.account
    buckets = sorted({trail.bucket for trail in trails(view) if trail.bucket})
    if not buckets:
        reason = f"Account {account} has no CloudTrail trail delivering logs to S3."
        return [Finding(account, FindingStatus.FAIL, reason)]

    prefetch_exposure(view, buckets)
    findings = []
    for bucket in buckets:
        gaps = bucket_exposure(view, bucket)
        if gaps:
            reason = f"CloudTrail bucket {bucket} is exposed: {'; '.join(gaps)}."
            findings.append(Finding(bucket, FindingStatus.FAIL, reason))
        else:
            reason = f"CloudTrail bucket {bucket} is neither public nor readable by every account."
            findings.append(Finding(bucket, FindingStatus.PASS, reason))
    return findings


def data_event_types(view: AwsView, trail: Trail) -> set[str]:
    """Return the resource types whose data events ``trail`` records."""
    response = event_selectors(view, trail)
    types = {
        resource["Type"]
        for selector in response.get("EventSelectors") or []
        for resource in selector.get("DataResources", [])
    }
    for selector in response.get("AdvancedEventSelectors") or []:
        for field in selector.get("FieldSelectors", []):
            if field.get("Field") == "resources.type":
                types.update(field.get("Equals", []))
    return types


def data_events_logged(view: AwsView) -> list[Finding]:
    """Trails that are logging record S3 object and Lambda function data events.

    Both classic event selectors (DataResources types) and advanced event selectors (an
    ``Equals`` on ``resources.type``) count; one trail may record S3 and another Lambda. An
    organization trail's selectors may be hidden from member accounts; the result is then an
    error, never a pass.

    ```yaml
    checks: [cloudtrail_data_events_logged]
    ```
    """
    account = view.account
    listed = trails(view)
    prefetch_by_trail(view, "GetTrailStatus", "Name", listed)
    recording = [trail for trail in listed if is_logging(view, trail)]
    prefetch_by_trail(view, "GetEventSelectors", "TrailName", recording)
    recorded = {trail.arn: data_event_types(view, trail) for trail in recording}
    recorders = {
        kind: [arn for arn, types in recorded.items() if resource_type in types]
        for resource_type, kind in DATA_EVENT_KINDS.items()
    }

    missing = [kind for kind, arns in recorders.items() if not arns]
    if missing:
        reason = (
            f"No logging trail of account {account} records {' or '.join(missing)} data events."
        )
        return [Finding(account, FindingStatus.FAIL, reason)]

    kept = " and ".join(
        f"{kind} data events ({', '.join(arns)})" for kind, arns in recorders.items()
    )
    return [Finding(account, FindingStatus.PASS, f"Account {account} records {kept}.")]


CHECKS = [
    Check(
        id="cloudtrail_multi_region_trail_logging",
        title="A multi-region CloudTrail trail is logging with log file validation",
        rule=(
            "At least one multi-region CloudTrail trail is logging, records read and write "
            "management events, and has log file integrity validation enabled."
        ),
        service="cloudtrail",
        scope="global",
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
        ),
        evaluate=multi_region_trail_logging,
    ),
    Check(
        id="cloudtrail_trail_bucket_not_public",
        title="CloudTrail log buckets are not public",
        rule=(
            "No S3 bucket that receives CloudTrail logs has a public bucket policy or an ACL "
            "granting access to everyone or to every AWS account."
        ),
        service="cloudtrail",
        scope="global",
        permissions=(
            "cloudtrail:DescribeTrails",
            "s3:GetBucketPolicyStatus",
            "s3:GetBucketAcl",
            "s3:GetBucketPublicAccessBlock",
        ),
        evaluate=trail_bucket_not_public,
    ),
    Check(
        id="cloudtrail_data_events_logged",
        title="CloudTrail records S3 and Lambda data events",
        rule="Trails that are logging record S3 object and Lambda function data events.",
        service="cloudtrail",
        scope="global",
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
        ),
        evaluate=data_events_logged,
    ),
]
