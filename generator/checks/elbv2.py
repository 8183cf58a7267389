"""Elastic Load Balancing (v2) checks. Load balancers are regional: these run once per region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.checks.base import AwsView, Check, Finding, FindingStatus

ENCRYPTED_PROTOCOLS = frozenset({"HTTPS", "TLS"})
OUTDATED_TLS = frozenset({"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"})


@dataclass(frozen=True)
class Listener:
    arn: str
    port: int
    policy: str
    """The listener's security policy name, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06."""


def load_balancers(view: AwsView) -> list[dict[str, Any]]:
    """Return the Application, Network and Gateway Load Balancers of the view's region."""
    balancers: list[dict[str, Any]] = view.call("elbv2", "DescribeLoadBalancers").get(
        "LoadBalancers", []
    )
    return balancers


def encrypted_listeners(view: AwsView) -> list[Listener]:
    """Return every HTTPS or TLS listener of the region's load balancers."""
    balancers = [{"LoadBalancerArn": b["LoadBalancerArn"]} for b in load_balancers(view)]
    view.prefetch("elbv2", "DescribeListeners", balancers)
    listeners = [
        listener
        for params in balancers
        for listener in view.call("elbv2", "DescribeListeners", **params).get("Listeners", [])
    ]
    return [
        Listener(item["ListenerArn"], item.get("Port", 0), item.get("SslPolicy", ""))
        for item in listeners
        if item.get("Protocol") in ENCRYPTED_PROTOCOLS
    ]


def policy_protocols(view: AwsView) -> dict[str, set[str]]:
    """Return the protocols each of the region's predefined security policies allows, by name."""
    response = view.call("elbv2", "DescribeSSLPolicies")
    return {p["Name"]: set(p.get("SslProtocols", [])) for p in response.get("SslPolicies", [])}


def judge_policy(allowed: set[str] | None) -> tuple[FindingStatus, str]:
    """Return the verdict on a security policy allowing ``allowed`` protocols, and why."""
    if allowed is None:
        return FindingStatus.FAIL, "a policy ELB does not describe"

    outdated = sorted(OUTDATED_TLS & allowed)
    if outdated:
        return FindingStatus.FAIL, f"which allows {', '.join(outdated)}"
    return FindingStatus.PASS, "which allows TLS 1.2 or newer only"


def listener_tls12_policy(view: AwsView) -> list[Finding]:
    """Every HTTPS or TLS listener uses a security policy that allows TLS 1.2 or newer only.

    ```yaml
    checks: [elbv2_listener_tls12_policy]
    ```
    """
    listeners = encrypted_listeners(view)
    protocols = policy_protocols(view) if listeners else {}
    findings = []
    for listener in listeners:
        status, why = judge_policy(protocols.get(listener.policy))
        reason = f"Listener {listener.arn} on port {listener.port} uses {listener.policy}, {why}."
        findings.append(Finding(listener.arn, status, reason))
    return findings


CHECKS = [
    Check(
        id="elbv2_listener_tls12_policy",
        title="Load balancer listeners allow TLS 1.2 or newer only",
        rule=(
            "Every HTTPS or TLS listener of an Application or Network Load Balancer uses a "
            "security policy whose protocols, as DescribeSSLPolicies lists them, are TLS 1.2 "
            "or newer."
        ),
        service="elbv2",
        scope="regional",
        permissions=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeSSLPolicies",
        ),
        evaluate=listener_tls12_policy,
        empty="The region has no HTTPS or TLS load balancer listeners.",
    ),
]
