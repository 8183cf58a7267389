"""The AWS Backup checks against a moto server."""

from __future__ import annotations

from generator.checks.backup import plan_cross_region_copy
from generator.checks.base import FindingStatus


def plan(backup, name, copy_to=None):
    rule = {
        "RuleName": "daily",
        "TargetBackupVaultName": "primary",
        "ScheduleExpression": "cron(0 5 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": 35},
    }
    if copy_to:
        rule["CopyActions"] = [{"DestinationBackupVaultArn": copy_to}]
    made = backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": [rule]})
    return made["BackupPlanArn"]


def test_plans_copying_to_another_region_pass_and_others_fail(seed, view, account):
    backup = seed("backup")
    backup.create_backup_vault(BackupVaultName="primary")
    dr_vault = seed("backup", "eu-west-1").create_backup_vault(BackupVaultName="dr")
    local_vault = f"arn:aws:backup:us-east-1:{account}:backup-vault:primary"
    copied = plan(backup, "critical", copy_to=dr_vault["BackupVaultArn"])
    same_region = plan(backup, "same-region-copy", copy_to=local_vault)
    uncopied = plan(backup, "scratch")

    findings = plan_cross_region_copy(view("us-east-1"))

    assert {f.resource: f.status for f in findings} == {
        copied: FindingStatus.PASS,
        same_region: FindingStatus.FAIL,
        uncopied: FindingStatus.FAIL,
    }
    [none_in_eu] = plan_cross_region_copy(view("eu-west-1"))
    assert (none_in_eu.resource, none_in_eu.status) == (account, FindingStatus.FAIL)
    assert none_in_eu.reason == f"Account {account} has no AWS Backup plan in eu-west-1."
