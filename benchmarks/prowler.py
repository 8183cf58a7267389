"""Prowler, the peer the collection benchmark compares with: its venv, its checks, its command.

Prowler is installed from PyPI into ``benchmarks/.venv-prowler`` by the benchmark's own
set-up and never becomes a project dependency. MAPPING pairs each of our checks with the
Prowler checks that judge the same thing (or the nearest part of it); the README lists it.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

VENV = Path(__file__).resolve().parent / ".venv-prowler"
PROWLER = VENV / "bin" / "prowler"
PACKAGE = "prowler"

CIS_ALARMS = [
    "cloudwatch_log_metric_filter_unauthorized_api_calls",
    "cloudwatch_log_metric_filter_sign_in_without_mfa",
    "cloudwatch_log_metric_filter_root_usage",
    "cloudwatch_log_metric_filter_policy_changes",
    "cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled",
    "cloudwatch_log_metric_filter_authentication_failures",
    "cloudwatch_log_metric_filter_disable_or_scheduled_deletion_of_kms_cmk",
    "cloudwatch_log_metric_filter_for_s3_bucket_policy_changes",
    "cloudwatch_log_metric_filter_and_alarm_for_aws_config_configuration_changes_enabled",
    "cloudwatch_log_metric_filter_security_group_changes",
    "cloudwatch_changes_to_network_acls_alarm_configured",
    "cloudwatch_changes_to_network_gateways_alarm_configured",
    "cloudwatch_changes_to_network_route_tables_alarm_configured",
    "cloudwatch_changes_to_vpcs_alarm_configured",
]

PASSWORD_POLICY = [
    "iam_password_policy_minimum_length_14",
    "iam_password_policy_uppercase",
    "iam_password_policy_lowercase",
    "iam_password_policy_number",
    "iam_password_policy_symbol",
    "iam_password_policy_expires_passwords_within_90_days_or_less",
]

MAPPING: dict[str, list[str]] = {
    "backup_plan_cross_region_copy": ["backup_plans_exist"],
    "cloudfront_distribution_tls12_minimum": [
        "cloudfront_distributions_custom_ssl_certificate",
        "cloudfront_distributions_using_deprecated_ssl_protocols",
    ],
    "cloudfront_distribution_waf_enabled": ["cloudfront_distributions_using_waf"],
    "cloudtrail_data_events_logged": [
        "cloudtrail_s3_dataevents_read_enabled",
        "cloudtrail_s3_dataevents_write_enabled",
    ],
    "cloudtrail_multi_region_trail_logging": [
        "cloudtrail_multi_region_enabled",
        "cloudtrail_log_file_validation_enabled",
    ],
    "cloudtrail_trail_bucket_not_public": ["cloudtrail_logs_s3_bucket_is_not_publicly_accessible"],
    "cloudwatch_cis_monitoring_alarms": CIS_ALARMS,
    "config_aggregator_all_regions": ["config_delegated_admin_and_org_aggregator_all_regions"],
    "config_recorder_recording": ["config_recorder_all_regions_enabled"],
    "ec2_ebs_default_encryption_enabled": ["ec2_ebs_default_encryption"],
    "ec2_security_group_admin_ports_restricted": [
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
    ],
    "ec2_vpc_flow_logs_enabled": ["vpc_flow_logs_enabled"],
    "elbv2_listener_tls12_policy": ["elbv2_insecure_ssl_ciphers"],
    "guardduty_detector_enabled": ["guardduty_is_enabled"],
    "iam_access_key_rotated": ["iam_rotate_access_key_90_days"],
    "iam_administrator_access_unattached": ["iam_aws_attached_policy_no_administrative_privileges"],
    "iam_console_user_mfa_enabled": ["iam_user_mfa_enabled_console_access"],
    "iam_password_policy_strong": PASSWORD_POLICY,
    "iam_root_access_keys_absent": ["iam_no_root_access_key"],
    "iam_root_mfa_enabled": ["iam_root_mfa_enabled"],
    "iam_user_direct_policies_absent": ["iam_policy_attached_only_to_group_or_roles"],
    "iam_user_unused_credentials_absent": [
        "iam_user_accesskey_unused",
        "iam_user_console_access_unused",
    ],
    "inspector2_scanning_enabled": ["inspector2_is_enabled"],
    "kms_cmk_rotation_enabled": ["kms_cmk_rotation_enabled"],
    "macie2_session_enabled": ["macie_is_enabled"],
    "organizations_account_in_organization": ["organizations_account_part_of_organizations"],
    "s3_bucket_secure_transport_required": ["s3_bucket_secure_transport_policy"],
    "secretsmanager_secret_rotation_enabled": ["secretsmanager_automatic_rotation_enabled"],
    "securityhub_standards_enabled": ["securityhub_enabled"],
    "wafv2_alb_web_acl_associated": ["elbv2_waf_acl_attached"],
}
"""Our check id -> the equivalent Prowler check ids."""

LEFT_OUT = {
    "s3control_account_public_access_blocked": (
        "s3_account_level_public_access_blocks calls S3 Control, whose endpoint rules put the "
        "account id in front of the endpoint host; against 127.0.0.1 that is a DNS name"
    ),
}
"""Our checks whose Prowler equivalent the benchmark cannot run, with why."""


def prowler_checks() -> list[str]:
    """Return the Prowler check ids to run, without repeats, in mapping order."""
    return list(dict.fromkeys(check for checks in MAPPING.values() for check in checks))


def ensure_installed() -> Path:
    """Install Prowler into its own venv unless it is there already; return its command."""
    if PROWLER.exists():
        return PROWLER

    logger.warning("installing Prowler into %s (once; several minutes)", VENV)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, PACKAGE], check=True)
    return PROWLER


def version() -> str:
    """Return the installed Prowler's version, read from its package metadata."""
    python = VENV / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('prowler'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def command(regions: list[str], output: Path) -> list[str]:
    """Return the Prowler command line for the mapped checks in ``regions``."""
    return [
        str(PROWLER),
        "aws",
        "--checks",
        *prowler_checks(),
        "--filter-region",
        *regions,
        "--aws-retries-max-attempts",
        "1",
        "--output-formats",
        "json-ocsf",
        "--output-directory",
        str(output),
        "--no-banner",
        "--no-color",
        "--ignore-exit-code-3",
        "--log-level",
        "ERROR",
    ]
