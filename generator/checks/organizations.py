"""AWS Organizations checks. Organizations is global: these run once per account.

Service control policies can only be listed from the organization's management account, so
the SCP check judges the organization there and does not apply in member accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus, NotApplicable

SCP = "SERVICE_CONTROL_POLICY"


@dataclass(frozen=True)
class Organization:
    id: str
    management_account: str
    all_features: bool
    """False when the organization only consolidates billing, which leaves SCPs unavailable."""


def organization(view: AwsView) -> Organization | None:
    """Return the organization the account belongs to, or None when it belongs to none."""
    try:
        response = view.call("organizations", "DescribeOrganization")
    except ApiError as error:
        # Organizations answers "this account is in no organization" with an error.
        if error.code == "AWSOrganizationsNotInUseException":
            return None
        raise

    described = response["Organization"]
    return Organization(
        id=described["Id"],
        management_account=described["MasterAccountId"],
        all_features=described.get("FeatureSet") == "ALL",
    )


@dataclass(frozen=True)
class Guardrail:
    """A customer SCP attached somewhere in the organization."""

    id: str
    name: str
    targets: list[str]
    """Ids of the roots, organizational units and accounts it is attached to."""


def guardrails(view: AwsView) -> list[Guardrail]:
    """Return each customer SCP that is attached to at least one target.

    AWS managed SCPs (FullAWSAccess) allow everything, so they are no guardrail.
    """
    listed = view.call("organizations", "ListPolicies", Filter=SCP).get("Policies", [])
    customer = [policy for policy in listed if not policy.get("AwsManaged", False)]
    policy_ids = [{"PolicyId": policy["Id"]} for policy in customer]
    view.prefetch("organizations", "ListTargetsForPolicy", policy_ids)

    attached = []
    for policy in customer:
        response = view.call("organizations", "ListTargetsForPolicy", PolicyId=policy["Id"])
        targets = [target["TargetId"] for target in response.get("Targets", [])]
        if targets:
            attached.append(Guardrail(policy["Id"], policy["Name"], targets))
    return attached


def account_in_organization(view: AwsView) -> list[Finding]:
    """The account belongs to an AWS Organization.

    ```yaml
    checks: [organizations_account_in_organization]
    ```
    """
    account = view.account
    found = organization(view)
    if found is None:
        reason = f"Account {account} is not in an organization."
        return [Finding(account, FindingStatus.FAIL, reason)]

    reason = f"Account {account} belongs to organization {found.id}."
    return [Finding(account, FindingStatus.PASS, reason)]


def scp_guardrails_attached(view: AwsView) -> list[Finding]:
    """A service control policy other than FullAWSAccess is attached in the organization.

    ```yaml
    checks: [organizations_scp_guardrails_attached]
    ```
    """
    account = view.account
    found = organization(view)
    if found is None:
        reason = f"Account {account} is not in an organization, so no SCP can guard it."
        return [Finding(account, FindingStatus.FAIL, reason)]
    if found.management_account != account:
        raise NotApplicable(
            f"SCPs of organization {found.id} are judged in its management account "
            f"{found.management_account}."
        )
    if not found.all_features:
        reason = f"Organization {found.id} only consolidates billing, so it cannot use SCPs."
        return [Finding(found.id, FindingStatus.FAIL, reason)]

    attached = guardrails(view)
    if not attached:
        reason = f"Organization {found.id} attaches no SCP besides FullAWSAccess."
        return [Finding(found.id, FindingStatus.FAIL, reason)]
    return [
        Finding(
            scp.id, FindingStatus.PASS, f"SCP {scp.name} is attached to {', '.join(scp.targets)}."
        )
        for scp in attached
    ]


CHECKS = [
    Check(
        id="organizations_account_in_organization",
        title="The account belongs to an AWS Organization",
        rule="The account is a member or the management account of an AWS Organization.",
        service="organizations",
        scope="global",
        permissions=("organizations:DescribeOrganization",),
        evaluate=account_in_organization,
    ),
    Check(
        id="organizations_scp_guardrails_attached",
        title="Service control policies set guardrails",
        rule=(
            "The organization has all features enabled and attaches at least one service "
            "control policy besides the default FullAWSAccess; judged in the management account."
        ),
        service="organizations",
        scope="global",
        permissions=(
            "organizations:DescribeOrganization",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
        ),
        evaluate=scp_guardrails_attached,
    ),
]
