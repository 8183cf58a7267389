"""IAM Identity Center checks (boto3 service ``sso-admin``).

Identity Center lives in one region of its choosing, so the check is global and looks in every
region of the run. An organization's instance is visible only from its management account (or
a delegated administrator), so a member account without one of its own is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.checks.base import ApiError, AwsView, Check, Finding, FindingStatus, NotApplicable
from generator.checks.organizations import organization


@dataclass(frozen=True)
class Instance:
    arn: str
    region: str
    status: str
    """ACTIVE once usable; CREATE_IN_PROGRESS or DELETE_IN_PROGRESS otherwise."""


def instances(view: AwsView, region: str) -> list[Instance]:
    """Return the Identity Center instances the account sees in ``region``."""
    try:
        response = view.in_region(region).call("sso-admin", "ListInstances")
    except ApiError as error:
        # Regions where botocore lists no Identity Center endpoint cannot hold an instance.
        if error.code == "ServiceNotInRegion":
            return []
        raise

    listed = response.get("Instances", [])
    return [Instance(i["InstanceArn"], region, i.get("Status", "ACTIVE")) for i in listed]


def instance_active(view: AwsView) -> list[Finding]:
    """IAM Identity Center has an active instance, so people sign in through it.

    ```yaml
    checks: [ssoadmin_instance_active]
    ```
    """
    account = view.account
    view.prefetch("sso-admin", "ListInstances", regions=view.regions())
    found = [instance for region in view.regions() for instance in instances(view, region)]
    if found:
        return [
            Finding(
                instance.arn,
                FindingStatus.PASS if instance.status == "ACTIVE" else FindingStatus.FAIL,
                f"Identity Center instance {instance.arn} in {instance.region} is "
                f"{instance.status}.",
            )
            for instance in found
        ]

    member_of = organization(view)
    if member_of is not None and member_of.management_account != account:
        raise NotApplicable(
            f"Identity Center of organization {member_of.id} is judged in its management "
            f"account {member_of.management_account}."
        )
    reason = f"Account {account} has no IAM Identity Center instance in the regions checked."
    return [Finding(account, FindingStatus.FAIL, reason)]


CHECKS = [
    Check(
        id="ssoadmin_instance_active",
        title="IAM Identity Center is in use",
        rule=(
            "An IAM Identity Center instance is active in one of the regions checked; "
            "member accounts of an organization are judged in its management account."
        ),
        # Named without the hyphen of boto3's "sso-admin" so the id can start with it; the
        # engine only groups work by this name.
        service="ssoadmin",
        scope="global",
        permissions=("sso:ListInstances", "organizations:DescribeOrganization"),
        evaluate=instance_active,
    ),
]
