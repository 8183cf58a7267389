"""The monitoring demo seeding, judged by the real checks through the engine."""

from __future__ import annotations

from generator.aws.engine import ResultStatus, collect
from generator.checks import registry
from generator.checks.base import GLOBAL
from generator.demo.monitoring import seed as seed_monitoring

MODULES = (
    "cloudtrail",
    "config",
    "cloudwatch",
    "guardduty",
    "events",
    "inspector2",
    "securityhub",
    "macie2",
)
REGIONS = ["us-east-1", "eu-west-1"]
PASS, FAIL = ResultStatus.PASS, ResultStatus.FAIL


def test_demo_account_passes_and_fails_where_the_story_says(seed, factory):
    seed_monitoring(seed, REGIONS)
    checks = [check for check in registry().values() if check.service in MODULES]

    collection = collect(checks, {}, factory, regions=REGIONS, workers=4)

    outcomes = {(r.check, r.region): r.status for r in collection.results}
    assert outcomes == {
        ("cloudtrail_data_events_logged", GLOBAL): FAIL,
        ("cloudtrail_multi_region_trail_logging", GLOBAL): PASS,
        ("cloudtrail_trail_bucket_not_public", GLOBAL): FAIL,
        ("cloudwatch_cis_monitoring_alarms", GLOBAL): FAIL,
        ("config_access_keys_rotated_rule_deployed", GLOBAL): PASS,
        ("config_aggregator_all_regions", GLOBAL): FAIL,
        ("config_iam_unused_credentials_rule_deployed", GLOBAL): FAIL,
        ("config_recorder_recording", "eu-west-1"): FAIL,
        ("config_recorder_recording", "us-east-1"): PASS,
        ("config_rules_deployed", "eu-west-1"): FAIL,
        ("config_rules_deployed", "us-east-1"): PASS,
        ("events_guardduty_high_findings_routed", "eu-west-1"): PASS,
        ("events_guardduty_high_findings_routed", "us-east-1"): PASS,
        ("events_guardduty_sns_alerting", "eu-west-1"): FAIL,
        ("events_guardduty_sns_alerting", "us-east-1"): PASS,
        ("guardduty_detector_enabled", "eu-west-1"): FAIL,
        ("guardduty_detector_enabled", "us-east-1"): PASS,
        ("inspector2_scanning_enabled", "eu-west-1"): FAIL,
        ("inspector2_scanning_enabled", "us-east-1"): PASS,
        ("macie2_session_enabled", "eu-west-1"): FAIL,
        ("macie2_session_enabled", "us-east-1"): PASS,
        ("securityhub_findings_summarised", "eu-west-1"): FAIL,
        ("securityhub_findings_summarised", "us-east-1"): FAIL,
        ("securityhub_standards_enabled", "eu-west-1"): FAIL,
        ("securityhub_standards_enabled", "us-east-1"): FAIL,
    }
    reasons = {(r.check, r.region): r.reason for r in collection.results}
    assert reasons[("cloudtrail_trail_bucket_not_public", GLOBAL)] == (
        "1 of 2 resources fails: acme-legacy-audit-logs."
    )
    assert reasons[("cloudwatch_cis_monitoring_alarms", GLOBAL)] == (
        "10 of 14 resources fail: CloudWatch.3, CloudWatch.6, CloudWatch.7, CloudWatch.8, "
        "CloudWatch.9, CloudWatch.10, CloudWatch.11, CloudWatch.12, CloudWatch.13, CloudWatch.14."
    )
