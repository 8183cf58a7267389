"""AWS Backup checks. Backup plans are regional: these run once per region of the run."""

from __future__ import annotations

from dataclasses import dataclass

from generator.checks.base import AwsView, Check, Finding, FindingStatus


@dataclass(frozen=True)
class BackupPlan:
    arn: str
    name: str
    copy_regions: frozenset[str]
    """The regions of the vaults the plan's rules copy recovery points to."""


def backup_plans(view: AwsView) -> list[BackupPlan]:
    """Return the region's backup plans with the regions their rules copy to."""
    summaries = view.call("backup", "ListBackupPlans").get("BackupPlansList", [])
    plan_ids = [{"BackupPlanId": summary["BackupPlanId"]} for summary in summaries]
    view.prefetch("backup", "GetBackupPlan", plan_ids)

    plans = []
    for summary in summaries:
        plan_id = summary["BackupPlanId"]
        rules = view.call("backup", "GetBackupPlan", BackupPlanId=plan_id)["BackupPlan"]["Rules"]
        # Vault ARNs read arn:partition:backup:region:account:backup-vault:name.
        regions = frozenset(
            copy["DestinationBackupVaultArn"].split(":")[3]
            for rule in rules
            for copy in rule.get("CopyActions", [])
        )
        plans.append(BackupPlan(summary["BackupPlanArn"], summary["BackupPlanName"], regions))
    return plans


def plan_cross_region_copy(view: AwsView) -> list[Finding]:
    """Every backup plan copies recovery points to a vault in another region.

    A region without backup plans fails: nothing in it is backed up at all.

    ```yaml
    checks: [backup_plan_cross_region_copy]
    ```
    """
    account, region = view.account, view.region
    plans = backup_plans(view)
    if not plans:
        reason = f"Account {account} has no AWS Backup plan in {region}."
        return [Finding(account, FindingStatus.FAIL, reason)]

    findings = []
    for plan in plans:
        elsewhere = sorted(plan.copy_regions - {region})
        if elsewhere:
            reason = f"Backup plan {plan.name} copies recovery points to {', '.join(elsewhere)}."
            findings.append(Finding(plan.arn, FindingStatus.PASS, reason))
        else:
            reason = f"Backup plan {plan.name} copies no recovery points out of {region}."
            findings.append(Finding(plan.arn, FindingStatus.FAIL, reason))
    return findings


CHECKS = [
    Check(
        id="backup_plan_cross_region_copy",
        title="Backup plans copy to a second region",
        rule=(
            "The region has AWS Backup plans, and each has a rule that copies recovery points "
            "to a vault in another region."
        ),
        service="backup",
        scope="regional",
        permissions=("backup:ListBackupPlans", "backup:GetBackupPlan"),
        evaluate=plan_cross_region_copy,
    ),
]
