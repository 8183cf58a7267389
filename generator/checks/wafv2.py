"""AWS WAF checks for regional resources. These run once per region of the run.

Only Application Load Balancers are judged: WAF cannot be attached to Network, Gateway or
Classic Load Balancers. CloudFront distributions are judged by the CloudFront checks.
"""

from __future__ import annotations

from generator.checks.base import AwsView, Check, Finding, FindingStatus
from generator.checks.elbv2 import load_balancers


def public_application_load_balancers(view: AwsView) -> list[str]:
    """Return the ARNs of the region's internet-facing Application Load Balancers."""
    return [
        balancer["LoadBalancerArn"]
        for balancer in load_balancers(view)
        if balancer.get("Type") == "application" and balancer.get("Scheme") == "internet-facing"
    ]


def web_acl(view: AwsView, resource_arn: str) -> str | None:
    """Return the ARN of the web ACL protecting ``resource_arn``, or None when there is none."""
    response = view.call("wafv2", "GetWebACLForResource", ResourceArn=resource_arn)
    acl: str | None = response.get("WebACL", {}).get("ARN")
    return acl


def alb_web_acl_associated(view: AwsView) -> list[Finding]:
    """Every internet-facing Application Load Balancer is protected by an AWS WAF web ACL.

    ```yaml
    checks: [wafv2_alb_web_acl_associated]
    ```
    """
    arns = public_application_load_balancers(view)
    view.prefetch("wafv2", "GetWebACLForResource", [{"ResourceArn": arn} for arn in arns])

    findings = []
    for arn in arns:
        acl = web_acl(view, arn)
        if acl is None:
            reason = f"Internet-facing load balancer {arn} has no AWS WAF web ACL."
            findings.append(Finding(arn, FindingStatus.FAIL, reason))
        else:
            reason = f"Internet-facing load balancer {arn} is protected by web ACL {acl}."
            findings.append(Finding(arn, FindingStatus.PASS, reason))
    return findings


CHECKS = [
    Check(
        id="wafv2_alb_web_acl_associated",
        title="Internet-facing load balancers are behind AWS WAF",
        rule=(
            "Every internet-facing Application Load Balancer has an AWS WAF web ACL; Network "
            "and Classic Load Balancers cannot take one and are not judged."
        ),
        service="wafv2",
        scope="regional",
        permissions=("elasticloadbalancing:DescribeLoadBalancers", "wafv2:GetWebACLForResource"),
        evaluate=alb_web_acl_associated,
        empty="The region has no internet-facing Application Load Balancers.",
    ),
]
