"""The CloudFront checks against a moto server."""

from __future__ import annotations

import pytest

from generator.checks.base import FindingStatus
from generator.checks.cloudfront import distribution_tls12_minimum, distribution_waf_enabled

WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d"


def distribution(cloudfront, reference, **settings):
    config = {
        "CallerReference": reference,
        "Comment": reference,
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "origin",
                    "DomainName": "origin.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "origin",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }
    made = cloudfront.create_distribution(DistributionConfig=config | settings)
    return made["Distribution"]["ARN"]


def custom_certificate(minimum):
    # Said explicitly: moto otherwise reports the default certificate alongside a custom one.
    return {
        "CloudFrontDefaultCertificate": False,
        "ACMCertificateArn": CERTIFICATE,
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": minimum,
    }


@pytest.fixture(name="distributions")
def fixture_distributions(seed):
    cloudfront = seed("cloudfront")
    return {
        "default": distribution(cloudfront, "marketing"),
        "modern": distribution(
            cloudfront,
            "storefront",
            WebACLId=WEB_ACL,
            ViewerCertificate=custom_certificate("TLSv1.2_2021"),
        ),
        "old": distribution(
            cloudfront, "downloads", ViewerCertificate=custom_certificate("TLSv1.1_2016")
        ),
    }


def test_distributions_without_a_web_acl_fail(distributions, view):
    findings = distribution_waf_enabled(view())

    failing = {f.resource for f in findings if f.status is FindingStatus.FAIL}
    assert failing == {distributions["default"], distributions["old"]}
    assert len(findings) == 3


def test_distributions_on_the_default_certificate_or_below_tls_1_2_fail(distributions, view):
    findings = distribution_tls12_minimum(view())

    assert {f.resource: f.status for f in findings} == {
        distributions["default"]: FindingStatus.FAIL,
        distributions["modern"]: FindingStatus.PASS,
        distributions["old"]: FindingStatus.FAIL,
    }
    reasons = {f.resource: f.reason for f in findings}
    assert reasons[distributions["default"]].endswith("default certificate, which accepts TLS 1.0.")
    assert reasons[distributions["old"]].endswith("accepts viewers on TLSv1.1_2016.")
