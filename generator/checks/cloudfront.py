"""CloudFront checks. CloudFront is global: these run once per account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.checks.base import AwsView, Check, Finding, FindingStatus

MODERN_TLS_PREFIXES = ("TLSv1.2_", "TLSv1.3")


@dataclass(frozen=True)
class Distribution:
    id: str
    arn: str
    web_acl: str
    """The web ACL's id (WAF Classic) or ARN (WAF), empty when it has none."""

    default_certificate: bool
    """True when viewers get the shared *.cloudfront.net certificate."""

    minimum_protocol: str
    """The viewer security policy, e.g. TLSv1.2_2021."""


def distributions(view: AwsView) -> list[Distribution]:
    """Return the account's CloudFront distributions."""
    response = view.call("cloudfront", "ListDistributions")
    items: list[dict[str, Any]] = response.get("DistributionList", {}).get("Items", [])
    return [
        Distribution(
            id=item["Id"],
            arn=item["ARN"],
            web_acl=item.get("WebACLId", ""),
            default_certificate=bool(
                item.get("ViewerCertificate", {}).get("CloudFrontDefaultCertificate", False)
            ),
            minimum_protocol=item.get("ViewerCertificate", {}).get("MinimumProtocolVersion", ""),
        )
        for item in items
    ]


def distribution_waf_enabled(view: AwsView) -> list[Finding]:
    """Every CloudFront distribution is protected by an AWS WAF web ACL.

    ```yaml
    checks: [cloudfront_distribution_waf_enabled]
    ```
    """
    findings = []
    for dist in distributions(view):
        if dist.web_acl:
            reason = f"Distribution {dist.id} is protected by web ACL {dist.web_acl}."
            findings.append(Finding(dist.arn, FindingStatus.PASS, reason))
        else:
            reason = f"Distribution {dist.id} has no AWS WAF web ACL."
            findings.append(Finding(dist.arn, FindingStatus.FAIL, reason))
    return findings


def distribution_tls12_minimum(view: AwsView) -> list[Finding]:
    """Every CloudFront distribution refuses viewers older than TLS 1.2.

    A distribution on the default *.cloudfront.net certificate fails whatever its setting
    says: CloudFront then accepts TLS 1.0, and only a custom certificate can raise that.

    ```yaml
    checks: [cloudfront_distribution_tls12_minimum]
    ```
    """
    findings = []
    for dist in distributions(view):
        if dist.default_certificate:
            reason = f"Distribution {dist.id} uses the default certificate, which accepts TLS 1.0."
            findings.append(Finding(dist.arn, FindingStatus.FAIL, reason))
        elif dist.minimum_protocol.startswith(MODERN_TLS_PREFIXES):
            reason = f"Distribution {dist.id} requires {dist.minimum_protocol} or newer."
            findings.append(Finding(dist.arn, FindingStatus.PASS, reason))
        else:
            reason = f"Distribution {dist.id} accepts viewers on {dist.minimum_protocol}."
            findings.append(Finding(dist.arn, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="cloudfront_distribution_waf_enabled",
        title="CloudFront distributions are behind AWS WAF",
        rule="Every CloudFront distribution has an AWS WAF web ACL.",
        service="cloudfront",
        scope="global",
        permissions=("cloudfront:ListDistributions",),
        evaluate=distribution_waf_enabled,
        empty="The account has no CloudFront distributions.",
    ),
    Check(
        id="cloudfront_distribution_tls12_minimum",
        title="CloudFront distributions allow TLS 1.2 or newer only",
        rule=(
            "Every CloudFront distribution serves a custom certificate with a TLSv1.2_* or newer "
            "viewer security policy; the default *.cloudfront.net certificate accepts TLS 1.0, "
            "so a distribution using it fails."
        ),
        service="cloudfront",
        scope="global",
        permissions=("cloudfront:ListDistributions",),
        evaluate=distribution_tls12_minimum,
        empty="The account has no CloudFront distributions.",
    ),
]
